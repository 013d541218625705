import { Agent, request } from 'node:http';

/** What a closed-loop load run measured. */
export interface LoadResult {
  /** Client-side latency of each request that got an answer, in completion order. */
  latenciesMs: number[];
  /** Answers per HTTP status. */
  statuses: Record<number, number>;
  /** `id` of each answered body that had one (the entry ids of accepted POSTs). */
  ids: string[];
  /** Transport failures and timeouts. */
  errors: string[];
  wallMs: number;
}

/** A closed-loop run: `concurrency` clients, each sending its next request when the last is answered. */
export interface LoadOptions {
  url: string;
  token?: string;
  count: number;
  concurrency: number;
  /** The JSON body of the i-th request. */
  bodyFor: (index: number) => unknown;
  /** Per-request timeout; a request over it counts as an error, so a run always ends. */
  timeoutMs?: number;
}

/**
 * POSTs `count` JSON bodies with a fixed number of requests in flight (closed loop, keep-alive
 * connections, like a client app's pool) and times each one from send to the last body byte.
 */
export async function runClosedLoop(options: LoadOptions): Promise<LoadResult> {
  const { url, token, count, concurrency, bodyFor, timeoutMs = 30_000 } = options;
  // One keep-alive socket per client: connection setup is not what we measure.
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const result: LoadResult = { latenciesMs: [], statuses: {}, ids: [], errors: [], wallMs: 0 };
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < count) {
      const index = next++;
      const body = JSON.stringify(bodyFor(index));
      const sent = performance.now();
      try {
        const { status, text } = await post(agent, url, body, token, timeoutMs);
        result.latenciesMs.push(performance.now() - sent);
        result.statuses[status] = (result.statuses[status] ?? 0) + 1;
        const id = idOf(text);
        if (id) result.ids.push(id);
      } catch (error) {
        result.errors.push((error as Error).message);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, client));
  } finally {
    agent.destroy();
  }
  result.wallMs = performance.now() - started;
  return result;
}

function post(
  agent: Agent,
  url: string,
  body: string,
  token: string | undefined,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function idOf(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}
