import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: ChatCompletionRequest;
}

/** The parts of a chat completions request the tests read. */
export interface ChatCompletionRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> } };
  temperature?: number;
}

/** What the fake answers: status, headers, a JSON body, and an optional delay. */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  delayMs?: number;
}

/** Decides the reply to one request. */
export type ReplyFor = (request: ChatCompletionRequest) => FakeReply;

/** A chat completion whose message content is the given JSON answer. */
export function completion(
  answer: unknown,
  options: { model?: string; finishReason?: string; refusal?: string; usage?: { prompt_tokens: number; completion_tokens: number } } = {},
) {
  const { model = 'gpt-4o-mini-2024-07-18', finishReason = 'stop', refusal, usage = { prompt_tokens: 180, completion_tokens: 12 } } = options;
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_795_000_000,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: refusal ? null : JSON.stringify(answer),
          refusal: refusal ?? null,
        },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

/** An OpenAI error body as the API sends it. */
export function apiError(message: string, type = 'invalid_request_error', code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

/** The entry text of a chat completions request (the user message is `{"entry": ...}`). */
export function entryOf(request: ChatCompletionRequest): string {
  const user = request.messages.find((message) => message.role === 'user');
  return (JSON.parse(user?.content ?? '{}') as { entry?: string }).entry ?? '';
}

/**
 * An OpenAI-compatible chat completions server on 127.0.0.1 with a free port, speaking the
 * wire format the `openai` SDK expects. Tests set `reply` per case and close it when done.
 */
export class FakeOpenAiServer {
  readonly requests: RecordedRequest[] = [];
  reply: ReplyFor = () => ({ body: completion({ technologies: [] }) });
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as ChatCompletionRequest;
        this.requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
        const { status = 200, headers = {}, body: replyBody = {}, delayMs = 0 } = this.reply(body);
        const send = () => {
          if (response.destroyed) return;
          response.writeHead(status, { 'content-type': 'application/json', ...headers });
          response.end(JSON.stringify(replyBody));
        };
        if (delayMs === 0) return send();
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          send();
        }, delayMs);
        this.timers.add(timer);
      });
    });
  }

  /** Starts a server on a free port of 127.0.0.1. */
  static async start(): Promise<FakeOpenAiServer> {
    const fake = new FakeOpenAiServer();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The base URL to give the OpenAI client. */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Stops the server, dropping delayed replies and open connections. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }
}
