import { CONSUMER_SETTINGS } from '../lambdas/contract/index.js';
import { entryAt, type BenchEntries, type StackSectionDeps } from './entries.js';
import { runClosedLoop, type LoadResult } from './load.js';
import type { ModelServer, ModelUsage } from '../tools/tag-extraction/model-server/index.js';
import { startStackProcess, type StackProcess } from './stack-process.js';
import { summarize, round, type Summary } from './stats.js';
import { startSyncBaselineServer } from './sync-baseline.js';

/** Largest allowed ratio of POST p99 with a 2 s model to POST p99 with no extraction running. */
export const MAX_P99_RATIO = 1.2;

/**
 * What the consumer does while a phase's POSTs are timed. On this one machine the extraction
 * shares the API's CPU, which in AWS it never does (other containers): `busy` phases show that
 * contention, the `idle` phase (the model holds every call, so no extraction runs) is the
 * reference the slow-model phase is compared with.
 */
export type ConsumerActivity = 'idle' | 'busy';

/** Counts of the decoupling section. */
export interface DecouplingOptions {
  /** POSTs per model delay against the local stack. */
  posts: number;
  concurrency: number;
  warmupPosts: number;
  /** The model delays: instant, and slow (compared with the idle-consumer reference). */
  delaysMs: [number, number];
  /** POSTs per model delay against the synchronous baseline (a 2 s model makes each take 2 s). */
  baselinePosts: number;
  /** Direct handler timings for the cost model. */
  directApiRequests: number;
  directExtraction: { modelDelayMs: number; singleRecordBatches: number; fullBatches: number };
}

/** Latency of one load phase. */
export interface PhaseLatency {
  modelDelayMs: number;
  consumer: ConsumerActivity;
  posts: number;
  concurrency: number;
  latencyMs: Summary;
  statuses: Record<number, number>;
  errors: number;
  wallMs: number;
}

/** Everything the decoupling section measured. */
export interface DecouplingResult {
  options: DecouplingOptions;
  stackStartupMs: number;
  async: PhaseLatency[];
  /** The local API gateway's own request-log time of the same POSTs (handler + JWT check). */
  gatewayMs: { modelDelayMs: number; consumer: ConsumerActivity; latencyMs: Summary }[];
  p99Ratio: number;
  sync: PhaseLatency[];
  /** The API handler called directly, one request at a time (what one Lambda container bills). */
  apiHandlerDirect: { postMs: Summary; getMs: Summary };
  /** The extraction handler called directly with batches of 1 and of batchSize records. */
  extractionDirect: { modelDelayMs: number; singleRecordMs: Summary; fullBatchMs: Summary; fullBatchSize: number };
  /** Powertools log bytes the API handler wrote per POST (accepted entries log nothing on success). */
  apiLogBytesPerPost: number;
  /** Model usage of the entries extracted in the first phase. */
  modelUsage: ModelUsage;
  /** Entries of the slow-model phase still pending when the stack was stopped (not waited for). */
  pendingAtStop: number;
  targets: { name: string; pass: boolean; detail: string }[];
}

/**
 * POST latency against the local stack (one stack, the model switched between phases): with an
 * instant model (the consumer extracting beside the API on the same CPU), with no extraction
 * running (the model holds every call: the reference), and with a 2 s model; then the same
 * POSTs against a synchronous baseline. The decoupling ratio is the slow phase over the
 * reference, so it shows what a slow model does to the API, not what sharing a CPU does.
 * Also times the handlers directly for the cost model while the consumer is idle.
 */
export async function measureDecoupling(options: DecouplingOptions, deps: StackSectionDeps): Promise<DecouplingResult> {
  const { model, entries, log } = deps;
  const [fastDelay, slowDelay] = options.delaysMs;
  model.release();
  model.setLatency(fastDelay);
  const stack = await startStackProcess({
    modelBaseUrl: model.baseUrl,
    maxSeconds: deps.maxSeconds,
    env: { RECORD_CONCURRENCY: String(CONSUMER_SETTINGS.recordConcurrency) },
  });
  let next = 0;
  const post = (count: number) =>
    runClosedLoop({
      url: `${stack.apiUrl}/logs`,
      token: stack.devToken,
      count,
      concurrency: options.concurrency,
      bodyFor: () => ({ entry: entryAt(entries, next++) }),
    });

  try {
    log(`decoupling: warm-up (${options.warmupPosts} POSTs, waiting until tagged)...`);
    const warm = await post(options.warmupPosts);
    await stack.waitForDone(warm.ids, 60_000);

    log(`decoupling: ${options.posts} POSTs at concurrency ${options.concurrency}, model ${fastDelay} ms...`);
    model.resetUsage();
    const fast = await timedPhase(stack, () => post(options.posts));
    await stack.waitForDone(fast.load.ids, 120_000);
    const modelUsage = model.usage();
    const apiLogBytesPerPost = fast.apiLogBytes / options.posts;

    log('decoupling: timing the handlers directly (consumer idle)...');
    const { extractionDirect, apiHandlerDirect } = await timeHandlersDirectly(stack, model, entries, options);

    log(`decoupling: ${options.posts} POSTs at concurrency ${options.concurrency}, no extraction running (model holds every call)...`);
    model.hold();
    let idle: Awaited<ReturnType<typeof timedPhase>>;
    try {
      idle = await timedPhase(stack, () => post(options.posts));
    } finally {
      model.release();
    }
    await stack.waitForDone(idle.load.ids, 120_000);

    log(`decoupling: ${options.posts} POSTs at concurrency ${options.concurrency}, model ${slowDelay} ms...`);
    model.setLatency(slowDelay);
    const slow = await timedPhase(stack, () => post(options.posts));
    // Not waited for: at 2 s per model call the backlog takes long to drain and is not measured.
    const pendingAtStop = slow.load.ids.filter((id) => !stack.done.has(id)).length;
    await stack.stop();

    const phases = [
      { delay: fastDelay, consumer: 'busy', run: fast },
      { delay: 0, consumer: 'idle', run: idle },
      { delay: slowDelay, consumer: 'busy', run: slow },
    ] as const;
    const asyncPhases = phases.map(({ delay, consumer, run }) => phaseLatency(delay, consumer, options, run.load));
    const reference = asyncPhases[1]!;
    const slowPhase = asyncPhases[2]!;
    const p99Ratio = slowPhase.latencyMs.p99 / reference.latencyMs.p99;

    log(`decoupling: synchronous baseline, ${options.baselinePosts} POSTs per model delay...`);
    const sync: PhaseLatency[] = [];
    const baseline = await startSyncBaselineServer(model.baseUrl);
    try {
      for (const delay of options.delaysMs) {
        model.setLatency(delay);
        // A few requests first so connection setup is not in the figures, as for the stack.
        await runClosedLoop({
          url: `${baseline.url}/logs`,
          count: options.concurrency,
          concurrency: options.concurrency,
          bodyFor: (index) => ({ entry: entryAt(entries, index) }),
        });
        const load = await runClosedLoop({
          url: `${baseline.url}/logs`,
          count: options.baselinePosts,
          concurrency: options.concurrency,
          bodyFor: (index) => ({ entry: entryAt(entries, index) }),
        });
        sync.push(phaseLatency(delay, 'busy', { ...options, posts: options.baselinePosts }, load));
      }
    } finally {
      await baseline.stop();
    }

    return {
      options,
      stackStartupMs: stack.startupMs,
      async: asyncPhases,
      gatewayMs: phases.map(({ delay, consumer, run }) => ({
        modelDelayMs: delay,
        consumer,
        latencyMs: roundSummary(summarize(run.gatewayMs)),
      })),
      p99Ratio: round(p99Ratio, 2),
      sync,
      apiHandlerDirect,
      extractionDirect,
      apiLogBytesPerPost: round(apiLogBytesPerPost, 1),
      modelUsage,
      pendingAtStop,
      targets: [
        {
          name: `POST p99 ratio (${slowDelay / 1000} s model / no extraction running) <= ${MAX_P99_RATIO}`,
          pass: p99Ratio <= MAX_P99_RATIO,
          detail: `${round(slowPhase.latencyMs.p99, 1)} ms / ${round(reference.latencyMs.p99, 1)} ms = ${round(p99Ratio, 2)}`,
        },
      ],
    };
  } finally {
    model.release();
    await stack.stop();
  }
}

/** Runs a load phase and collects the gateway's request-log times and API log bytes that belong to it. */
async function timedPhase(stack: StackProcess, run: () => Promise<LoadResult>) {
  const requestsBefore = stack.requests.length;
  const logsBefore = stack.handlerLogs.length;
  const load = await run();
  if (load.errors.length > 0 || load.ids.length !== load.latenciesMs.length) {
    throw new Error(`POSTs failed: ${JSON.stringify(load.statuses)} ${load.errors.slice(0, 3).join('; ')}`);
  }
  // The gateway logs a request after answering it: give the last lines a moment to arrive.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const gatewayMs = stack.requests
    .slice(requestsBefore)
    .filter((line) => line.method === 'POST' && line.path === '/logs')
    .map((line) => line.ms);
  const apiLogBytes = stack.handlerLogs
    .slice(logsBefore)
    .filter((line) => line.service === 'devlog-api')
    .reduce((sum, line) => sum + line.bytes, 0);
  return { load, gatewayMs, apiLogBytes };
}

/**
 * Direct handler timings for the cost model. The extraction runs with the queue empty; the API
 * runs with the model held, so the jobs its POSTs enqueue wait at the model instead of using
 * CPU beside the timed handler; they are released and drained afterwards.
 */
async function timeHandlersDirectly(stack: StackProcess, model: ModelServer, entries: BenchEntries, options: DecouplingOptions) {
  const { modelDelayMs, singleRecordBatches, fullBatches } = options.directExtraction;
  const fullBatchSize = 10;
  model.setLatency(modelDelayMs);
  const batches = await stack.timeExtractionHandler(
    [...Array<number>(singleRecordBatches).fill(1), ...Array<number>(fullBatches).fill(fullBatchSize)],
    entries.texts,
  );
  const failed = batches.reduce((sum, batch) => sum + batch.failed, 0);
  if (failed > 0) throw new Error(`${failed} records failed in the direct extraction timing`);
  const extractionDirect = {
    modelDelayMs,
    singleRecordMs: roundSummary(summarize(batches.filter((batch) => batch.size === 1).map((batch) => batch.ms))),
    fullBatchMs: roundSummary(summarize(batches.filter((batch) => batch.size === fullBatchSize).map((batch) => batch.ms))),
    fullBatchSize,
  };

  model.setLatency(0);
  model.hold();
  const requestsBefore = stack.requests.length;
  let api: { postMs: number[]; getMs: number[]; ids: string[] };
  try {
    api = await stack.timeApiHandler(Array.from({ length: options.directApiRequests }, (_, index) => entryAt(entries, index + 500)));
  } finally {
    model.release();
  }
  if (stack.requests.length !== requestsBefore) throw new Error('unexpected gateway traffic during the direct API timing');
  // The consumer finishes the jobs those POSTs enqueued before the next phase starts.
  await stack.waitForDone(api.ids, 60_000);
  return { extractionDirect, apiHandlerDirect: { postMs: roundSummary(summarize(api.postMs)), getMs: roundSummary(summarize(api.getMs)) } };
}

function phaseLatency(
  modelDelayMs: number,
  consumer: ConsumerActivity,
  options: { posts: number; concurrency: number },
  load: LoadResult,
): PhaseLatency {
  return {
    modelDelayMs,
    consumer,
    posts: options.posts,
    concurrency: options.concurrency,
    latencyMs: roundSummary(summarize(load.latenciesMs)),
    statuses: load.statuses,
    errors: load.errors.length,
    wallMs: round(load.wallMs, 0),
  };
}

function roundSummary(summary: Summary): Summary {
  return Object.fromEntries(
    Object.entries(summary).map(([key, value]) => [key, key === 'count' ? value : round(value, 1)]),
  ) as unknown as Summary;
}
