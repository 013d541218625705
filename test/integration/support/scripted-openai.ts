import { createServer, type IncomingHttpHeaders } from 'node:http';
import { closeServer, listenOnLoopback, readBody } from '../../../local/http-server.js';

/** What the scripted model does for one request. */
export type ScriptedReply =
  | { technologies: string[]; delayMs?: number }
  | { status: number; message?: string; headers?: Record<string, string>; delayMs?: number };

/** One request the scripted model received. */
export interface RecordedRequest {
  entry: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A running scripted model. */
export interface ScriptedOpenAi {
  baseUrl: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

/**
 * An OpenAI-compatible chat completions server whose answers a test scripts per entry: tags,
 * delays, or HTTP errors. It records every request, so tests can count model calls and check
 * what the client sent (the API key from Secrets Manager, the structured-output schema).
 */
export async function startScriptedOpenAi(reply: (entry: string, index: number) => ScriptedReply): Promise<ScriptedOpenAi> {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (request, response) => {
    const { body } = await readBody(request, 1024 * 1024);
    const parsed = JSON.parse(body.toString('utf8') || '{}') as { messages?: { role: string; content: string }[] };
    const userMessage = parsed.messages?.findLast((message) => message.role === 'user')?.content ?? '{}';
    const entry = (JSON.parse(userMessage) as { entry?: string }).entry ?? '';
    requests.push({ entry, headers: request.headers, body: parsed as Record<string, unknown> });
    const scripted = reply(entry, requests.length - 1);
    if (scripted.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
    if ('status' in scripted) {
      response.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers });
      response.end(JSON.stringify({ error: { message: scripted.message ?? 'scripted failure', type: 'server_error', param: null, code: null } }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: `chatcmpl-scripted-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: 'scripted-model',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: JSON.stringify({ technologies: scripted.technologies }), refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      }),
    );
  });
  const port = await listenOnLoopback(server);
  return { baseUrl: `http://127.0.0.1:${port}/v1`, requests, stop: () => closeServer(server) };
}
