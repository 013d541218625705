import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { closeServer, listenOnLoopback, readBody } from '../../../local/http-server.js';
import { type BatchObject, BatchEmulator } from './batches.js';
import { type ApiError, type ChatCompletionBody, completionBody, completionTokensOf, entryOf, errorBody, promptTokensOf } from './wire.js';

/*
 * Hand-written: mock-OpenAI packages on npm either wrap the client in-process (which would skip
 * the HTTP path we want to exercise) or need Docker, and none scripts OpenAI's model lifecycle
 * (gone models, reasoning-model parameter rules, shutdown dates). This is the one OpenAI-format
 * server of the repo: the tests, the bench and the local stand-in all use it. See README.md.
 */

/** One chat completions request the server received, in arrival order. */
export interface ModelRequest {
  /** 0-based arrival index among chat completions. */
  index: number;
  /** The entry inside our prompt (`{"entry": ...}`), or the user message's text. */
  entry: string;
  /** How many requests this entry has had, this one included (1-based). */
  call: number;
  /** The model the client asked for. */
  model: string;
  headers: IncomingHttpHeaders;
  body: ChatCompletionBody;
}

/** What the server does with one request. `delayMs` overrides the server's latency for it. */
export type Reply =
  /** A structured answer `{"technologies": [...]}`. */
  | ({ technologies: string[] } & AnswerExtras)
  /** Any message content (not JSON, a refusal, ...). */
  | ({ content: string | null; refusal?: string } & AnswerExtras)
  /** An HTTP error in OpenAI's format, e.g. 429 with `retry-after` headers. */
  | { status: number; error?: ApiError; headers?: Record<string, string>; delayMs?: number }
  /** `reset`: the connection is reset before any answer; `stall`: headers sent, the body never finishes. */
  | { fault: 'reset' | 'stall'; delayMs?: number };

/** Optional parts of a successful answer. */
export interface AnswerExtras {
  delayMs?: number;
  /** The `model` the answer names (default: the model's `answersAs`, else the requested one). */
  model?: string;
  finishReason?: string;
  /** Scripted usage; `completion_tokens` includes `reasoning_tokens`, as OpenAI reports them. */
  usage?: { prompt_tokens: number; completion_tokens: number; reasoning_tokens?: number };
}

/** Decides the reply to one request; may wait (a test's barrier) before it decides. */
export type Answer = (request: ModelRequest) => Reply | Promise<Reply>;

/** How a model behaves, as OpenAI's do. Models not in the catalog are served as plain models. */
export interface ModelSpec {
  /** Rejects `temperature` other than 1 (400 unsupported_value) and `max_tokens` (400 unsupported_parameter). */
  reasoning?: boolean;
  /** Shut down: 404 `model_not_found`, or 410 with a "deprecated" message. */
  gone?: 404 | 410;
  /** `shutdown_date` (YYYY-MM-DD) that `GET /v1/models/{id}` reports. */
  shutdownDate?: string;
  /** The snapshot name answers carry in `model` (OpenAI answers "gpt-x-2026-01-01" for "gpt-x"). */
  answersAs?: string;
}

/** How the server starts. */
export interface ModelServerOptions {
  /** Default: an empty answer (`{"technologies": []}`). */
  answer?: Answer;
  /** Milliseconds before each answer (the model's own latency). */
  latencyMs?: number;
  /** Requests must carry it as a bearer token (401 otherwise), like OpenAI demands. */
  apiKey?: string;
  models?: Record<string, ModelSpec>;
  /** `not-found`: models outside `models` answer 404 model_not_found. Default `serve`. */
  unlistedModels?: 'serve' | 'not-found';
}

/** Token usage of answered requests (completion tokens include the reasoning tokens). */
export interface TierUsage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

/** Token usage of the answered requests, in all and by the service tier that served them. */
export interface ModelUsage extends TierUsage {
  byServiceTier: Record<string, TierUsage>;
}

function emptyUsage(): ModelUsage {
  return { requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0, byServiceTier: {} };
}

function addUsage(usage: TierUsage, tokens: { prompt_tokens: number; completion_tokens: number; reasoning_tokens?: number }): void {
  usage.requests++;
  usage.promptTokens += tokens.prompt_tokens;
  usage.completionTokens += tokens.completion_tokens;
  usage.reasoningTokens += tokens.reasoning_tokens ?? 0;
}

/** A running model server. */
export interface ModelServer {
  /** Base URL for the OpenAI client (`http://127.0.0.1:<port>/v1`). */
  readonly baseUrl: string;
  /** The answer function; assign to change it between phases of a test. */
  answer: Answer;
  /** Every chat completions request, in arrival order (rejected ones too). */
  readonly requests: readonly ModelRequest[];
  /** The model ids asked for through `GET /v1/models/{id}`, in order. */
  readonly lookups: readonly string[];
  /** Forgets the recorded requests, lookups and per-entry counts (between test cases). */
  clearRecording(): void;
  /** Chat completions requests for this entry text. */
  requestsFor(entry: string): number;
  /** Resolves once `count` chat completions requests have arrived (a barrier, not a sleep). */
  arrivals(count: number): Promise<void>;
  /** HTTP statuses sent so far, counted (stalls count as 200). */
  readonly statuses: Readonly<Record<number, number>>;
  /** Requests whose connection is still open. */
  readonly inFlight: number;
  /** Most requests open at once since the last `resetUsage()`. */
  readonly peakInFlight: number;
  readonly latencyMs: number;
  /** Sets the latency of answers decided from now on. */
  setLatency(ms: number): void;
  /** Holds every answer (requests still arrive and are recorded) until `release()`. */
  hold(): void;
  /** Lets held requests go on. */
  release(): void;
  /** Adds or changes a model in the catalog. */
  setModel(id: string, spec: ModelSpec): void;
  /** Usage of the answered requests since the last reset, tokens counted with o200k_base. */
  usage(): ModelUsage;
  resetUsage(): void;
  /** The Batch API emulation: the batches created, a hold on their progress, expiry. */
  readonly batches: BatchControls;
  /** Stops the server: releases holds, drops timers and every open connection (stalls too). */
  stop(): Promise<void>;
}

/** Controls of the emulated Batch API (barriers, never sleeps). */
export interface BatchControls {
  /** Every batch created, in creation order, as `GET /v1/batches/{id}` shows it. */
  readonly all: readonly BatchObject[];
  /** Request lines run so far, over all batches. */
  readonly linesRun: number;
  /** Batches stop before their next lines until `release()` (they show `in_progress`). */
  hold(): void;
  release(): void;
  /** Held batches end `expired`: the lines not run yet go to the error file as `batch_expired`. */
  expire(): void;
  /** Resolves once every batch created so far has finished. */
  settled(): Promise<void>;
}

const NO_TECHNOLOGIES: Answer = () => ({ technologies: [] });

/** OpenAI's limit of a batch input file. */
const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

/** The outcome decided for one request: an HTTP answer (with its tokens when answered), or a connection fault. */
type Decided =
  | {
      status: number;
      body: unknown;
      headers?: Record<string, string>;
      delayMs?: number;
      tokens?: { prompt_tokens: number; completion_tokens: number; reasoning_tokens?: number };
      serviceTier?: string;
      rejected?: true;
    }
  | { fault: 'reset' | 'stall'; delayMs?: number };

/** Starts the server on 127.0.0.1 with a free port. */
export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const models = new Map(Object.entries(options.models ?? {}));
  const requests: ModelRequest[] = [];
  const lookups: string[] = [];
  const perEntry = new Map<string, number>();
  const statuses: Record<number, number> = {};
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters: { count: number; resolve: () => void }[] = [];
  let latencyMs = options.latencyMs ?? 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let usage = emptyUsage();
  let held: { promise: Promise<void>; resolve: () => void } | undefined;
  let answer = options.answer ?? NO_TECHNOLOGIES;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (response.destroyed) return;
    statuses[status] = (statuses[status] ?? 0) + 1;
    response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': randomUUID(), ...headers });
    response.end(JSON.stringify(body));
  };

  const specOf = (id: string): ModelSpec | undefined =>
    models.get(id) ?? (options.unlistedModels === 'not-found' ? { gone: 404 } : undefined);

  const server = createServer(async (request, response) => {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    response.once('close', () => inFlight--);
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const { body: raw } = await readBody(request, path === '/v1/files' ? MAX_UPLOAD_BYTES : 1024 * 1024);
    if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return send(response, 401, errorBody({ message: 'Incorrect API key provided.', code: 'invalid_api_key' }));
    }
    if (request.method === 'GET' && path === '/v1/models') {
      const listed = [...models].filter(([, spec]) => !spec.gone).map(([id, spec]) => modelObject(id, spec));
      return send(response, 200, { object: 'list', data: listed });
    }
    if (request.method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      lookups.push(id);
      const spec = specOf(id) ?? {};
      return spec.gone ? send(response, 404, modelNotFound(id)) : send(response, 200, modelObject(id, spec));
    }
    const batchAnswer = await batches.route(request.method ?? 'GET', path, request.headers['content-type'], raw);
    if (batchAnswer) {
      if (batchAnswer.contentType) {
        statuses[batchAnswer.status] = (statuses[batchAnswer.status] ?? 0) + 1;
        response.writeHead(batchAnswer.status, { 'content-type': batchAnswer.contentType });
        return response.end(batchAnswer.body);
      }
      return send(response, batchAnswer.status, batchAnswer.body);
    }
    if (request.method !== 'POST' || path !== '/v1/chat/completions') {
      return send(
        response,
        404,
        errorBody({
          message: `The model server serves POST /v1/chat/completions, GET /v1/models/{id}, /v1/files and /v1/batches, not ${request.method} ${path}.`,
          code: 'unknown_url',
        }),
      );
    }
    let body: ChatCompletionBody;
    try {
      body = JSON.parse(raw.toString('utf8')) as ChatCompletionBody;
    } catch {
      return send(response, 400, errorBody({ message: 'We could not parse the JSON body of your request.' }));
    }
    const entry = entryOf(body);
    const call = (perEntry.get(entry) ?? 0) + 1;
    perEntry.set(entry, call);
    const recorded: ModelRequest = { index: requests.length, entry, call, model: body.model ?? '', headers: request.headers, body };
    requests.push(recorded);
    for (const waiter of waiters.filter((candidate) => requests.length >= candidate.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (held) await held.promise;

    const outcome = await decide(recorded);
    if (!('rejected' in outcome)) await wait(outcome.delayMs ?? latencyMs);
    if (response.destroyed) return;
    if ('fault' in outcome) {
      if (outcome.fault === 'reset') return request.socket.resetAndDestroy();
      statuses[200] = (statuses[200] ?? 0) + 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"id":"chatcmpl-stalled","object":"chat.completion",');
      return;
    }
    if (outcome.tokens && outcome.serviceTier) {
      addUsage(usage, outcome.tokens);
      const tier = usage.byServiceTier[outcome.serviceTier] ?? { requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0 };
      usage.byServiceTier[outcome.serviceTier] = tier;
      addUsage(tier, outcome.tokens);
    }
    send(response, outcome.status, outcome.body, outcome.headers);
  });

  /** The scripted outcome of one chat completions request: what a call and a batch line both get. */
  async function decide(recorded: ModelRequest): Promise<Decided> {
    const spec = specOf(recorded.model) ?? {};
    const rejection = spec.gone ? goneError(recorded.model, spec.gone) : spec.reasoning ? reasoningRejection(recorded.body) : undefined;
    if (rejection) return { ...rejection, rejected: true };
    const reply = await answer(recorded);
    if ('fault' in reply) return reply;
    if ('status' in reply) {
      return {
        status: reply.status,
        body: errorBody(reply.error ?? { message: `scripted ${reply.status}`, type: 'server_error' }),
        headers: reply.headers,
        delayMs: reply.delayMs,
      };
    }
    const content = 'technologies' in reply ? JSON.stringify({ technologies: reply.technologies }) : reply.content;
    const refusal = 'refusal' in reply ? reply.refusal : undefined;
    const tokens = reply.usage ?? {
      prompt_tokens: promptTokensOf(recorded.body),
      completion_tokens: completionTokensOf(content ?? refusal ?? ''),
    };
    // As OpenAI: a request without service_tier (or `auto`) is served on the standard tier.
    const serviceTier = recorded.body.service_tier === 'flex' ? 'flex' : 'default';
    const body = completionBody({
      model: reply.model ?? spec.answersAs ?? (recorded.model || 'model-server'),
      content: refusal ? null : content,
      refusal,
      finishReason: reply.finishReason ?? 'stop',
      usage: tokens,
      serviceTier,
    });
    return { status: 200, body, tokens, serviceTier, delayMs: reply.delayMs };
  }

  // A batch line gets what a call with its body gets, without the latency (a batch has none to
  // speak of per request); a connection fault cannot happen inside a batch, so it is a 500 line.
  let batchLines = 0;
  const batches = new BatchEmulator(async (lineBody) => {
    const body = (lineBody ?? {}) as ChatCompletionBody;
    const outcome = await decide({ index: batchLines++, entry: entryOf(body), call: 1, model: body.model ?? '', headers: {}, body });
    if ('fault' in outcome) return { status: 500, body: errorBody({ message: `scripted ${outcome.fault}`, type: 'server_error' }) };
    return { status: outcome.status, body: outcome.body };
  });

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await listenOnLoopback(server);

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get answer() {
      return answer;
    },
    set answer(next) {
      answer = next;
    },
    requests,
    lookups,
    clearRecording() {
      requests.length = 0;
      lookups.length = 0;
      perEntry.clear();
    },
    requestsFor: (entry) => perEntry.get(entry) ?? 0,
    arrivals: (count) => (requests.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    statuses,
    get inFlight() {
      return inFlight;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    get latencyMs() {
      return latencyMs;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    hold() {
      if (held) return;
      let resolve = () => {};
      const promise = new Promise<void>((settle) => (resolve = settle));
      held = { promise, resolve };
    },
    release() {
      held?.resolve();
      held = undefined;
    },
    setModel(id, spec) {
      models.set(id, spec);
    },
    usage: () => structuredClone(usage),
    resetUsage() {
      usage = emptyUsage();
      peakInFlight = inFlight;
    },
    batches,
    async stop() {
      batches.stop();
      held?.resolve();
      held = undefined;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = closeServer(server);
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** The model object of `GET /v1/models/{id}`; `shutdown_date` only when one is set. */
function modelObject(id: string, spec: ModelSpec) {
  return {
    id,
    object: 'model',
    created: 1_700_000_000,
    owned_by: 'system',
    ...(spec.shutdownDate ? { shutdown_date: spec.shutdownDate } : {}),
  };
}

function modelNotFound(id: string) {
  return errorBody({ message: `The model \`${id}\` does not exist or you do not have access to it.`, code: 'model_not_found' });
}

function goneError(id: string, status: 404 | 410) {
  return status === 404
    ? { status, body: modelNotFound(id) }
    : {
        status,
        body: errorBody({
          message: `The model \`${id}\` has been deprecated, learn more here: https://platform.openai.com/docs/deprecations`,
        }),
      };
}

/** OpenAI's answers to the parameters reasoning models do not take. */
function reasoningRejection(body: ChatCompletionBody) {
  if (body.temperature !== undefined && body.temperature !== 1) {
    const message = `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`;
    return { status: 400, body: errorBody({ message, param: 'temperature', code: 'unsupported_value' }) };
  }
  if (body.max_tokens !== undefined) {
    const message = "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.";
    return { status: 400, body: errorBody({ message, param: 'max_tokens', code: 'unsupported_parameter' }) };
  }
  return undefined;
}
