import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnStackProcess } from '../local/stack-launcher.js';
import { killTree } from '../tools/shared/process-tree.js';
import type { HostReply, HostRequest } from './stack-protocol.js';
import type { MeterReading } from '../local/metering/usage-meter.js';
import type { LocalStackOptions } from '../local/stack.js';

/** A request line of the local API gateway: `POST /logs 202 12 ms`. */
export interface RequestLine {
  atMs: number;
  method: string;
  path: string;
  status: number;
  ms: number;
}

/** A batch line of the local SQS poller: `batch 3: 10 records, 10 ok, 0 failed in 812 ms`. */
export interface BatchLine {
  atMs: number;
  records: number;
  ok: number;
  failed: number;
  ms: number;
}

/** One Powertools JSON line a handler printed. */
export interface HandlerLogLine {
  atMs: number;
  service: string;
  message: string;
  bytes: number;
}

/** A local stack in a child process, and what it printed. */
export interface StackProcess {
  apiUrl: string;
  devToken: string;
  startupMs: number;
  /** When (performance.now() of this process) each entry was reported tagged (or already done). */
  readonly done: ReadonlyMap<string, number>;
  readonly requests: readonly RequestLine[];
  readonly batches: readonly BatchLine[];
  readonly handlerLogs: readonly HandlerLogLine[];
  /** Resolves with the time the last of `ids` was done; rejects after `timeoutMs`. */
  waitForDone(ids: readonly string[], timeoutMs: number): Promise<number>;
  /** CPU time (user + system) the child has used so far, in microseconds. */
  cpuMicros(): Promise<number>;
  /** Times the API handler directly in the child: a POST per entry, then a GET of each; returns the entry ids too. */
  timeApiHandler(entries: string[]): Promise<{ postMs: number[]; getMs: number[]; ids: string[] }>;
  /** Times the extraction handler directly in the child with batches of these sizes. */
  timeExtractionHandler(batchSizes: number[], entries: string[]): Promise<{ size: number; ms: number; failed: number }[]>;
  /** Starts the stack's usage meter afresh (local/metering). */
  meterReset(): Promise<void>;
  /** What the meter counted since its reset, once the aggregator has caught up with the stream. */
  meterRead(): Promise<MeterReading>;
  /** The last lines printed, for error messages. */
  tail(): string;
  /** Stops the stack and the child (SIGKILL after a grace period) and removes its data directory. */
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;
const REQUEST_LINE = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+) (\d{3}) (\d+) ms/;
const BATCH_LINE = /^batch \d+: (\d+) records?, (\d+) ok, (\d+) failed in (\d+) ms/;
const FAILED_BATCH_LINE = /^batch \d+: (\d+) records? failed as a whole .* in (\d+) ms/;

/** Stop functions of the stack processes started and not yet stopped, starting ones included. */
const running = new Set<() => Promise<void>>();

let closed = false;

/**
 * Stops every stack process still running (the bench's safety net on failure or Ctrl-C). With
 * `final`, no stack may start afterwards: a section still running while the bench aborts must
 * not start a new one behind the cleanup's back.
 */
export async function stopAllStackProcesses(options: { final?: boolean } = {}): Promise<void> {
  if (options.final) closed = true;
  await Promise.all([...running].map((stop) => stop()));
}

/**
 * Starts bench/stack-host.ts in a child process through local/stack-launcher.ts: the local stack
 * on a free loopback port with a fresh temporary DATA_DIR, its model at `modelBaseUrl`, and `env`
 * on top (handler settings such as OPENAI_REQUESTS_PER_MINUTE pass through to the handlers).
 */
export async function startStackProcess(options: {
  modelBaseUrl: string;
  env?: Record<string, string>;
  /** The event source mapping's settings where they differ from the deployed ones (see LocalStackOptions.consumer). */
  consumer?: LocalStackOptions['consumer'];
  maxSeconds: number;
}): Promise<StackProcess> {
  if (closed) throw new Error('the bench is stopping; no new stack');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'devlog-bench-'));
  const child = spawnStackProcess({
    script: 'bench/stack-host.ts',
    dataDir,
    ipc: true,
    env: {
      OPENAI_BASE_URL: options.modelBaseUrl,
      LOG_LEVEL: 'INFO',
      // The reconciler only matters for lost jobs; keep it out of the measurements.
      RECONCILE_INTERVAL_SECONDS: '3600',
      // One token posts every entry of a run: the daily quota would cut the measurements short.
      DAILY_ENTRY_QUOTA: '1000000',
      BENCH_HOST_MAX_SECONDS: String(options.maxSeconds),
      // The host removes its data directory itself when it loses the bench (which would otherwise).
      BENCH_HOST_OWNS_DATA_DIR: '1',
      ...(options.consumer ? { BENCH_HOST_CONSUMER: JSON.stringify(options.consumer) } : {}),
      ...options.env,
    },
  });

  const done = new Map<string, number>();
  const requests: RequestLine[] = [];
  const batches: BatchLine[] = [];
  const handlerLogs: HandlerLogLine[] = [];
  const lastLines: string[] = [];
  const doneWaiters = new Set<() => void>();
  const pendingRequests = new Map<number, { resolve: (reply: HostReply) => void; reject: (error: Error) => void }>();
  let nextRequestId = 1;
  let exited = false;

  const onLine = (line: string) => {
    const atMs = performance.now();
    lastLines.push(line);
    if (lastLines.length > 40) lastLines.shift();
    if (line.startsWith('@stack ')) {
      const text = line.slice('@stack '.length);
      const request = REQUEST_LINE.exec(text);
      if (request) {
        requests.push({ atMs, method: request[1]!, path: request[2]!, status: Number(request[3]), ms: Number(request[4]) });
        return;
      }
      const batch = BATCH_LINE.exec(text);
      if (batch) {
        batches.push({ atMs, records: Number(batch[1]), ok: Number(batch[2]), failed: Number(batch[3]), ms: Number(batch[4]) });
        return;
      }
      const failedBatch = FAILED_BATCH_LINE.exec(text);
      if (failedBatch)
        batches.push({ atMs, records: Number(failedBatch[1]), ok: 0, failed: Number(failedBatch[1]), ms: Number(failedBatch[2]) });
      return;
    }
    if (!line.startsWith('{')) return;
    let record: { service?: unknown; message?: unknown; entryId?: unknown };
    try {
      record = JSON.parse(line);
    } catch {
      return;
    }
    const service = typeof record.service === 'string' ? record.service : 'unknown';
    const message = typeof record.message === 'string' ? record.message : '';
    // +1: the newline is part of what the function writes to its log stream.
    handlerLogs.push({ atMs, service, message, bytes: Buffer.byteLength(line) + 1 });
    if ((message === 'entry tagged' || message === 'entry already-done') && typeof record.entryId === 'string') {
      if (!done.has(record.entryId)) done.set(record.entryId, atMs);
      for (const waiter of doneWaiters) waiter();
    }
  };
  splitLines(child.stdout!, onLine);
  splitLines(child.stderr!, (line) => {
    lastLines.push(`[stderr] ${line}`);
    if (lastLines.length > 40) lastLines.shift();
  });

  // Without a listener a failed IPC write (the child died first) would crash the bench.
  child.on('error', (error) => {
    lastLines.push(`[child error] ${error.message}`);
  });
  child.on('message', (message: HostReply) => {
    if ('requestId' in message) {
      const pending = pendingRequests.get(message.requestId);
      if (!pending) return;
      pendingRequests.delete(message.requestId);
      if (message.type === 'error') pending.reject(new Error(`stack host: ${message.message}`));
      else pending.resolve(message);
    }
  });

  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      for (const { reject } of pendingRequests.values()) reject(new Error('stack host exited'));
      pendingRequests.clear();
      for (const waiter of doneWaiters) waiter();
      resolve();
    });
  });

  const ask = <T extends HostReply['type']>(request: HostRequest, expected: T, timeoutMs: number) =>
    new Promise<Extract<HostReply, { type: T }>>((resolve, reject) => {
      if (exited) return reject(new Error('stack host has exited'));
      const timer = setTimeout(() => {
        pendingRequests.delete(request.requestId);
        reject(new Error(`stack host did not answer ${request.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      pendingRequests.set(request.requestId, {
        resolve: (reply) => {
          clearTimeout(timer);
          if (reply.type === expected) resolve(reply as Extract<HostReply, { type: T }>);
          else reject(new Error(`stack host answered ${reply.type} to ${request.type}`));
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send(request, (error) => {
        if (!error) return;
        clearTimeout(timer);
        pendingRequests.delete(request.requestId);
        reject(new Error(`stack host unreachable: ${error.message}`));
      });
    });

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (!exited) {
        // A child that is already dying answers the send with EPIPE; the kill below still ends it.
        if (child.connected) child.send({ type: 'stop', requestId: 0 } satisfies HostRequest, () => undefined);
        const timer = setTimeout(() => void killTree(child), STOP_GRACE_MS);
        await exitedPromise;
        clearTimeout(timer);
      }
      running.delete(stop);
      await rm(dataDir, { recursive: true, force: true });
    })());
  running.add(stop);

  const ready = await new Promise<Extract<HostReply, { type: 'ready' }>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the local stack did not start within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
    child.on('message', (message: HostReply) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`the local stack failed to start: ${message.message}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the stack host exited with ${code} before it was ready:\n${lastLines.join('\n')}`));
    });
  }).catch(async (error: Error) => {
    await stop();
    throw error;
  });

  const handle: StackProcess = {
    apiUrl: ready.apiUrl,
    devToken: ready.devToken,
    startupMs: ready.startupMs,
    done,
    requests,
    batches,
    handlerLogs,
    waitForDone(ids, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (ids.every((id) => done.has(id))) {
            finish();
            resolve(Math.max(...ids.map((id) => done.get(id)!)));
          } else if (exited) {
            finish();
            reject(new Error('the stack host exited while entries were pending'));
          }
        };
        const timer = setTimeout(() => {
          finish();
          const missing = ids.filter((id) => !done.has(id)).length;
          reject(new Error(`${missing} of ${ids.length} entries not done within ${timeoutMs} ms; last output:\n${lastLines.join('\n')}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          doneWaiters.delete(check);
        };
        doneWaiters.add(check);
        check();
      });
    },
    async cpuMicros() {
      return (await ask({ type: 'cpu', requestId: nextRequestId++ }, 'cpu', 10_000)).cpuMicros;
    },
    async timeApiHandler(entries) {
      const reply = await ask({ type: 'time-api-handler', requestId: nextRequestId++, entries }, 'api-handler-times', 60_000);
      return { postMs: reply.postMs, getMs: reply.getMs, ids: reply.ids };
    },
    async timeExtractionHandler(batchSizes, entries) {
      const reply = await ask(
        { type: 'time-extraction-handler', requestId: nextRequestId++, batchSizes, entries },
        'extraction-handler-times',
        60_000,
      );
      return reply.batches;
    },
    async meterReset() {
      await ask({ type: 'meter-reset', requestId: nextRequestId++ }, 'meter-reading', 10_000);
    },
    async meterRead() {
      return (await ask({ type: 'meter-read', requestId: nextRequestId++ }, 'meter-reading', 60_000)).reading;
    },
    tail: () => lastLines.join('\n'),
    stop,
  };
  return handle;
}

function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  });
}
