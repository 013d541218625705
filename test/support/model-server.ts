import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback, readBody } from '../../local/http-server.js';
import { HALLUCINATED_TECHNOLOGY, technologiesIn } from './entries.js';

/** Faults the model server injects, each a share (0..1) of all requests. */
export interface ModelFaults {
  /** Answer 500/502/503 (the OpenAI client retries these, then the queue does). */
  serverErrorRate?: number;
  /** Answer 429 with `retry-after`. */
  rateLimitRate?: number;
  retryAfterSeconds?: number;
  /** Answer only after `slowMs`, past the client's timeout. */
  slowRate?: number;
  slowMs?: number;
  /** Entries that always get a 500 while faults are on (to fail some entries for certain). */
  alwaysFail?: (entry: string) => boolean;
}

/** What the server has answered so far. */
export interface ModelStats {
  requests: number;
  answered: number;
  serverErrors: number;
  rateLimited: number;
  slow: number;
}

/** A running OpenAI-compatible test server. */
export interface ModelServer {
  /** Base URL for the OpenAI client (`.../v1`). */
  baseUrl: string;
  readonly stats: ModelStats;
  /** Requests per entry text. */
  requestsFor(entry: string): number;
  /** Requests whose connection is still open (a slow answer, or one in progress). */
  readonly inFlight: number;
  setFaults(faults: ModelFaults): void;
  clearFaults(): void;
  /** Milliseconds each successful answer takes (the model's own latency). */
  setLatency(ms: number): void;
  /**
   * Holds each answer until `gate` resolves (called with the entry and how many calls that entry
   * has had, this one included), so a test can line up concurrent calls; undefined removes it.
   */
  setGate(gate: ((entry: string, call: number) => Promise<void>) | undefined): void;
  stop(): Promise<void>;
}

/** Model name reported in answers, so tests can see which server tagged an entry. */
export const TEST_MODEL = 'test-model';

/**
 * An OpenAI-compatible chat completions server for fault tests. It answers in the OpenAI wire
 * format with structured-output content `{"technologies": [...]}`: the test vocabulary's
 * technologies that occur in the entry, in the entry's order, plus one the entry never names
 * (which the extraction's grounding must drop). Faults are drawn per request from a seeded
 * generator, so a run's mix is reproducible given the same arrival order.
 */
export async function startModelServer(options: { latencyMs?: number; seed?: number } = {}): Promise<ModelServer> {
  const random = mulberry32(options.seed ?? 20_261_123);
  const stats: ModelStats = { requests: 0, answered: 0, serverErrors: 0, rateLimited: 0, slow: 0 };
  const perEntry = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let faults: ModelFaults = {};
  let latencyMs = options.latencyMs ?? 0;
  let gate: ((entry: string, call: number) => Promise<void>) | undefined;
  let inFlight = 0;

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const server = createServer(async (request, response) => {
    inFlight++;
    response.once('close', () => inFlight--);
    const { body } = await readBody(request, 1024 * 1024);
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendJson(response, 404, { error: { message: `not served: ${request.method} ${path}`, type: 'invalid_request_error' } });
    }
    const entry = entryOf(body.toString('utf8'));
    stats.requests++;
    perEntry.set(entry, (perEntry.get(entry) ?? 0) + 1);
    if (gate) await gate(entry, perEntry.get(entry)!);

    const draw = random();
    const { serverErrorRate = 0, rateLimitRate = 0, slowRate = 0 } = faults;
    if (faults.alwaysFail?.(entry) || draw < serverErrorRate) {
      stats.serverErrors++;
      const status = [500, 502, 503][Math.floor(random() * 3)]!;
      return sendJson(response, status, { error: { message: 'injected server error', type: 'server_error' } });
    }
    if (draw < serverErrorRate + rateLimitRate) {
      stats.rateLimited++;
      return sendJson(
        response,
        429,
        { error: { message: 'Rate limit reached (injected)', type: 'requests', code: 'rate_limit_exceeded' } },
        { 'retry-after': String(faults.retryAfterSeconds ?? 1) },
      );
    }
    const slow = draw < serverErrorRate + rateLimitRate + slowRate;
    if (slow) stats.slow++;
    later(slow ? (faults.slowMs ?? 5_000) : latencyMs, () => {
      // The client may have given up on a slow answer; writing to its closed socket is pointless.
      if (response.destroyed) return;
      stats.answered++;
      sendJson(response, 200, completionFor(entry));
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await listenOnLoopback(server);

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    stats,
    requestsFor: (entry) => perEntry.get(entry) ?? 0,
    get inFlight() {
      return inFlight;
    },
    setFaults(next) {
      faults = { ...next };
    },
    clearFaults() {
      faults = {};
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    setGate(next) {
      gate = next;
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** The entry inside our prompt's user message (`{"entry": "..."}`). */
function entryOf(requestBody: string): string {
  try {
    const parsed = JSON.parse(requestBody) as { messages?: { role?: string; content?: unknown }[] };
    const user = parsed.messages?.findLast((message) => message.role === 'user')?.content;
    if (typeof user !== 'string') return '';
    const { entry } = JSON.parse(user) as { entry?: unknown };
    return typeof entry === 'string' ? entry : user;
  } catch {
    return '';
  }
}

function completionFor(entry: string) {
  const content = JSON.stringify({ technologies: [...technologiesIn(entry), HALLUCINATED_TECHNOLOGY] });
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: TEST_MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 120, completion_tokens: 20, total_tokens: 140 },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** A small seeded PRNG (mulberry32), so fault mixes are reproducible. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
