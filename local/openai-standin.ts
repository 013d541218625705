import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, readBody } from './http-server.js';

/*
 * Hand-written: mock-OpenAI packages on npm either wrap the client in-process (which would
 * skip the HTTP path we want to exercise) or need Docker. This serves the one endpoint the
 * extraction calls, in the OpenAI wire format, so the real `openai` client code runs offline.
 */

/** The model name the stand-in reports, so tags it wrote are recognisable. */
export const STANDIN_MODEL = 'offline-dictionary';

/** Finds the technologies named in an entry. */
export type TechnologyFinder = (entry: string) => string[] | Promise<string[]>;

/** A running stand-in. */
export interface OpenAiStandin {
  /** Base URL for the OpenAI client (`.../v1`). */
  baseUrl: string;
  /** Chat completions served. */
  readonly requestCount: number;
  stop(): Promise<void>;
}

/** The parts of a chat completions request the stand-in reads. */
interface ChatCompletionRequest {
  model?: string;
  messages?: { role?: string; content?: unknown }[];
  response_format?: { type?: string };
}

/**
 * Starts an OpenAI-compatible server on loopback that answers POST /v1/chat/completions with
 * `{"technologies": [...]}` from `findTechnologies`, as a structured-output response would.
 * With `apiKey`, requests must carry it as a bearer token, like OpenAI demands.
 */
export async function startOpenAiStandin(options: { findTechnologies: TechnologyFinder; apiKey?: string }): Promise<OpenAiStandin> {
  let requestCount = 0;
  const server = createServer(async (request, response) => {
    const { body } = await readBody(request, 1024 * 1024);
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendError(response, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    if (request.method === 'GET' && path === '/v1/models') {
      return send(response, 200, { object: 'list', data: [{ id: STANDIN_MODEL, object: 'model', created: 0, owned_by: 'local' }] });
    }
    if (request.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendError(response, 404, `The offline stand-in serves POST /v1/chat/completions, not ${request.method} ${path}.`, 'invalid_request_error', 'unknown_url');
    }
    let completionRequest: ChatCompletionRequest;
    try {
      completionRequest = JSON.parse(body.toString('utf8')) as ChatCompletionRequest;
    } catch {
      return sendError(response, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
    }
    requestCount++;
    const prompt = lastUserText(completionRequest);
    const technologies = await options.findTechnologies(entryOf(prompt));
    const content = JSON.stringify({ technologies });
    const promptTokens = Math.ceil(JSON.stringify(completionRequest.messages ?? []).length / 4);
    const completionTokens = Math.ceil(content.length / 4);
    send(response, 200, {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: STANDIN_MODEL,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      system_fingerprint: 'local',
    });
  });
  const port = await listenOnLoopback(server);
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get requestCount() {
      return requestCount;
    },
    stop: () => closeServer(server),
  };
}

/** The text of the last user message (string content or text parts). */
function lastUserText(request: ChatCompletionRequest): string {
  const message = [...(request.messages ?? [])].reverse().find((candidate) => candidate.role === 'user');
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

/** Our prompt sends `{"entry": "..."}` as the user message; anything else is taken as the entry itself. */
function entryOf(prompt: string): string {
  try {
    const parsed = JSON.parse(prompt) as { entry?: unknown };
    if (typeof parsed?.entry === 'string') return parsed.entry;
  } catch {
    // Not our prompt format: use the text as it is.
  }
  return prompt;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': randomUUID() });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, status: number, message: string, type: string, code: string | null): void {
  send(response, status, { error: { message, type, param: null, code } });
}
