import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, readBody } from '../local/http-server.js';
import { findTechnologies } from '../local/offline-model/find-technologies.js';

/*
 * Hand-written, like local/openai-standin.ts (which has a fixed zero delay and no controls):
 * the bench needs a model whose latency it sets per phase, that can hold every answer while a
 * backlog builds up, and that counts requests and tokens. It speaks the OpenAI chat completions
 * wire format, so the extraction runs its real OpenAI client code against it.
 */

/** Token usage the server reported, summed. */
export interface ModelUsage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

/** A running scripted model. */
export interface ScriptedModelServer {
  /** Base URL for the OpenAI client (`.../v1`). */
  baseUrl: string;
  /** Current answer delay in ms. */
  readonly delayMs: number;
  /** Sets the delay of answers to requests that arrive (or are released) from now on. */
  setDelayMs(delayMs: number): void;
  /** Holds every answer until release(); requests still arrive and are counted. */
  hold(): void;
  /** Lets held requests go; each is then answered after the current delay. */
  release(): void;
  /** Requests that arrived so far (answered or not). */
  readonly received: number;
  /** Usage of the answered requests since the last reset. */
  usage(): ModelUsage;
  /** Most requests in flight at once (arrived, not yet answered) since the last reset. */
  readonly peakInFlight: number;
  /** Resets usage and the in-flight peak. */
  resetUsage(): void;
  stop(): Promise<void>;
}

interface ChatMessage {
  role?: string;
  content?: unknown;
}

/**
 * Rough token count of text as OpenAI's tokenizers see English/German prose: about four
 * characters per token. Good enough for a cost estimate; a real tokenizer would need its
 * vocabulary, which no offline package ships for gpt-4o.
 */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The prompt tokens of a request: the messages plus the structured-output JSON schema, which
 * OpenAI also puts in front of the model (and bills) when response_format is json_schema.
 */
export function promptTokensOf(request: { messages?: ChatMessage[]; response_format?: unknown }): number {
  const messages = (request.messages ?? []).map((message) => `${message.role ?? ''}\n${textOf(message.content)}`).join('\n');
  const schema = request.response_format ? JSON.stringify(request.response_format) : '';
  return approximateTokens(messages) + approximateTokens(schema);
}

/** Starts the scripted model on loopback with an initial answer delay. */
export async function startScriptedModelServer(options: { delayMs?: number } = {}): Promise<ScriptedModelServer> {
  let delayMs = options.delayMs ?? 0;
  let received = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let usage: ModelUsage = { requests: 0, promptTokens: 0, completionTokens: 0 };
  let held: Promise<void> | undefined;
  let releaseHeld: (() => void) | undefined;
  // The bench cycles through a fixed set of entries: answer each one once, then from memory.
  const answers = new Map<string, string[]>();
  const pendingTimers = new Set<NodeJS.Timeout>();

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        resolve();
      }, ms);
      pendingTimers.add(timer);
    });

  const server = createServer(async (request, response) => {
    const { body } = await readBody(request, 1024 * 1024);
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'POST' || path !== '/v1/chat/completions') {
      return send(response, 404, { error: { message: `not served: ${request.method} ${path}`, type: 'invalid_request_error', param: null, code: null } });
    }
    received++;
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    response.once('close', () => inFlight--);
    let completionRequest: { model?: string; messages?: ChatMessage[]; response_format?: unknown };
    try {
      completionRequest = JSON.parse(body.toString('utf8'));
    } catch {
      return send(response, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error', param: null, code: null } });
    }
    if (held) await held;
    await wait(delayMs);
    const entry = entryOf(completionRequest.messages ?? []);
    let technologies = answers.get(entry);
    if (!technologies) {
      technologies = findTechnologies(entry);
      answers.set(entry, technologies);
    }
    const content = JSON.stringify({ technologies });
    const promptTokens = promptTokensOf(completionRequest);
    const completionTokens = approximateTokens(content);
    usage.requests++;
    usage.promptTokens += promptTokens;
    usage.completionTokens += completionTokens;
    send(response, 200, {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: completionRequest.model ?? 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      system_fingerprint: 'bench',
    });
  });
  const port = await listenOnLoopback(server);

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get delayMs() {
      return delayMs;
    },
    setDelayMs(value) {
      delayMs = value;
    },
    hold() {
      if (held) return;
      held = new Promise((resolve) => (releaseHeld = resolve));
    },
    release() {
      releaseHeld?.();
      held = undefined;
      releaseHeld = undefined;
    },
    get received() {
      return received;
    },
    usage: () => ({ ...usage }),
    get peakInFlight() {
      return peakInFlight;
    },
    resetUsage() {
      usage = { requests: 0, promptTokens: 0, completionTokens: 0 };
      peakInFlight = inFlight;
    },
    async stop() {
      releaseHeld?.();
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      server.closeAllConnections();
      await closeServer(server);
    },
  };
}

/** Our prompt sends `{"entry": "..."}` as the last user message. */
function entryOf(messages: ChatMessage[]): string {
  const text = textOf([...messages].reverse().find((message) => message.role === 'user')?.content);
  try {
    const parsed = JSON.parse(text) as { entry?: unknown };
    if (typeof parsed.entry === 'string') return parsed.entry;
  } catch {
    // Not our prompt format: the text is the entry.
  }
  return text;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('');
  return '';
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': randomUUID() });
  response.end(JSON.stringify(body));
}
