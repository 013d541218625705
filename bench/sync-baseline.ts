import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { ANSWER_RESPONSE_FORMAT } from '../lambdas/tag-extraction/answer-schema.js';
import { DEFAULT_OPENAI_MODEL } from '../lambdas/tag-extraction/model-settings.js';
import { LATEST_PROMPT_VERSION, PROMPTS, promptMessages } from '../lambdas/tag-extraction/prompts.js';
import { closeServer, listenOnLoopback, readBody } from '../local/http-server.js';

/*
 * The design we did not build, as a yardstick: an API that extracts inside the request. It
 * calls the same model server with the same prompt and answers only when the model has. No
 * DynamoDB or SQS: it is the floor of a synchronous design, so the comparison flatters it.
 */

/** A running synchronous baseline. */
export interface SyncBaselineServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts the baseline on loopback: POST /logs {"entry"} -> 200 with the tags, after the model answered. */
export async function startSyncBaselineServer(modelBaseUrl: string): Promise<SyncBaselineServer> {
  const server = createServer(async (request, response) => {
    try {
      const { body } = await readBody(request, 128 * 1024);
      const { entry } = JSON.parse(body.toString('utf8')) as { entry: string };
      const answer = await fetch(`${modelBaseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
        body: JSON.stringify({
          model: DEFAULT_OPENAI_MODEL,
          messages: promptMessages(PROMPTS[LATEST_PROMPT_VERSION]!, entry),
          response_format: ANSWER_RESPONSE_FORMAT,
        }),
      });
      const completion = (await answer.json()) as { choices: { message: { content: string } }[] };
      const { technologies } = JSON.parse(completion.choices[0]!.message.content) as { technologies: string[] };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ id: randomUUID(), entry, status: 'done', tags: technologies.map((value) => ({ type: 'tech-stack', value })) }),
      );
    } catch (error) {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: (error as Error).message }));
    }
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await closeServer(server);
    },
  };
}
