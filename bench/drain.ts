import { CONSUMER_SETTINGS, QUEUE_SETTINGS } from '../lambdas/contract/index.js';
import { entryAt, type BenchEntries, type StackSectionDeps } from './entries.js';
import { runClosedLoop } from './load.js';
import type { ModelServer } from '../tools/tag-extraction/model-server/index.js';
import { startStackProcess, type StackProcess } from './stack-process.js';
import { mean, round } from './stats.js';

/**
 * Drain target: at least 10x the sequential consumer of the original design, or, where the
 * bound allows less (the account's requests-per-minute limit caps 500 rpm at 4.2x a 0.5 s
 * sequential consumer), 90% of what the bound allows.
 */
export const MIN_SPEEDUP_VS_SEQUENTIAL = 10;
/** Drain target: at least 90% of what the consumer settings allow. */
export const MIN_FRACTION_OF_BOUND = 0.9;

/** What limits how fast a backlog can drain. */
export interface DrainBound {
  /** maxConcurrency x recordConcurrency / latency: records in flight over time per record. */
  concurrencyBound: number;
  /** requestsPerMinute / 60, or Infinity without a client-side limit. */
  rateLimitBound: number;
  /** The smaller of the two, entries per second. */
  bound: number;
  limitedBy: 'consumer concurrency' | 'requests-per-minute limit';
}

/** The best drain rate the consumer settings allow: min(maxConcurrency x recordConcurrency / latency, rpm / 60). */
export function drainBound(settings: {
  maxConcurrency: number;
  recordConcurrency: number;
  latencySeconds: number;
  requestsPerMinute?: number;
}): DrainBound {
  if (!(settings.latencySeconds > 0)) throw new Error('latency must be positive');
  const concurrencyBound = (settings.maxConcurrency * settings.recordConcurrency) / settings.latencySeconds;
  const rateLimitBound = settings.requestsPerMinute ? settings.requestsPerMinute / 60 : Number.POSITIVE_INFINITY;
  return {
    concurrencyBound,
    rateLimitBound,
    bound: Math.min(concurrencyBound, rateLimitBound),
    limitedBy: rateLimitBound < concurrencyBound ? 'requests-per-minute limit' : 'consumer concurrency',
  };
}

/** The original design's consumer, one record at a time: 1 / latency entries per second. */
export function sequentialRate(latencySeconds: number): number {
  return 1 / latencySeconds;
}

/** Pass/fail of a measured drain rate against both targets. */
export function drainVerdicts(rate: number, bound: DrainBound, sequential: number) {
  const speedup = rate / sequential;
  const fraction = rate / bound.bound;
  const allowed = bound.bound / sequential;
  const required = Math.min(MIN_SPEEDUP_VS_SEQUENTIAL, MIN_FRACTION_OF_BOUND * allowed);
  const speedupName =
    required < MIN_SPEEDUP_VS_SEQUENTIAL
      ? `>= ${round(required, 1)}x sequential (${MIN_FRACTION_OF_BOUND * 100}% of the ${round(allowed, 1)}x the ${bound.limitedBy} allows)`
      : `>= ${MIN_SPEEDUP_VS_SEQUENTIAL}x sequential`;
  return [
    { name: speedupName, pass: speedup >= required, detail: `${round(rate, 1)}/s vs ${round(sequential, 2)}/s = ${round(speedup, 1)}x` },
    {
      name: `>= ${MIN_FRACTION_OF_BOUND * 100}% of bound`,
      pass: fraction >= MIN_FRACTION_OF_BOUND,
      detail: `${round(rate, 1)}/s vs bound ${round(bound.bound, 1)}/s (${bound.limitedBy}) = ${round(fraction * 100, 0)}%`,
    },
  ];
}

/** One drain scenario: a backlog, the model latency, and the client-side rate limit (if any). */
export interface DrainScenario {
  name: string;
  backlog: number;
  modelLatencyMs: number;
  /** OPENAI_REQUESTS_PER_MINUTE of the one local process; undefined leaves it unset (no limit). */
  requestsPerMinute?: number;
  /**
   * hold: the model holds every answer while the backlog is POSTed, the clock starts at release.
   * from-first-post: the clock starts at the first POST (used where the limiter would otherwise
   * let requests through during the hold and give the measurement a head start).
   */
  clock: 'hold' | 'from-first-post';
  why: string;
}

/** What one drain scenario measured. */
export interface DrainResult {
  scenario: DrainScenario;
  settings: { maxConcurrency: number; recordConcurrency: number; batchSize: number };
  elapsedMs: number;
  postWallMs: number;
  rate: number;
  bound: DrainBound;
  sequential: number;
  speedup: number;
  fractionOfBound: number;
  batches: { count: number; meanRecords: number; meanMs: number };
  /** CPU cores the stack's process used on average while draining (2 = both cores). */
  stackCpuCores: number;
  /** Most model requests in flight at once, against what the consumer settings allow. */
  modelPeakInFlight: number;
  allowedInFlight: number;
  /** What the measurements say limits the rate. */
  observedLimit: string;
  /** Model usage of the drained entries (tokens for the cost model). */
  modelUsage: { requests: number; promptTokens: number; completionTokens: number };
  retries: number;
  /** Extraction log bytes per entry (Powertools lines only). */
  extractionLogBytesPerEntry: number;
  extractionLogLinesPerEntry: number;
  /** The entries as GET /logs returned them after the drain (for item sizes). */
  sampleItems: Record<string, unknown>[];
  allDone: boolean;
  targets: { name: string; pass: boolean; detail: string }[];
}

/** Runs one drain scenario in a fresh local stack process and measures entries/s until all are done. */
export async function measureDrain(scenario: DrainScenario, deps: StackSectionDeps): Promise<DrainResult> {
  const { model, entries, log } = deps;
  const settings = {
    maxConcurrency: CONSUMER_SETTINGS.maxConcurrency,
    recordConcurrency: CONSUMER_SETTINGS.recordConcurrency,
    batchSize: QUEUE_SETTINGS.batchSize,
  };
  model.setLatency(scenario.modelLatencyMs);
  model.release();
  const stack = await startStackProcess({
    modelBaseUrl: model.baseUrl,
    maxSeconds: deps.maxSeconds,
    env: {
      RECORD_CONCURRENCY: String(settings.recordConcurrency),
      ...(scenario.requestsPerMinute ? { OPENAI_REQUESTS_PER_MINUTE: String(scenario.requestsPerMinute) } : {}),
    },
  });
  try {
    await warmUp(stack, model, entries, scenario.modelLatencyMs);
    log(`drain [${scenario.name}]: posting a backlog of ${scenario.backlog}...`);
    if (scenario.clock === 'hold') model.hold();
    // Taken before the POSTs: with the model held nothing finishes until release anyway.
    const batchesBefore = stack.batches.length;
    const logsBefore = stack.handlerLogs.length;
    let cpuBefore = await stack.cpuMicros();
    const firstPostAt = performance.now();
    const posted = await runClosedLoop({
      url: `${stack.apiUrl}/logs`,
      token: stack.devToken,
      count: scenario.backlog,
      concurrency: 16,
      bodyFor: (index) => ({ entry: entryAt(entries, index) }),
    });
    if (posted.ids.length !== scenario.backlog) {
      model.release();
      throw new Error(
        `only ${posted.ids.length} of ${scenario.backlog} POSTs were accepted (${JSON.stringify(posted.statuses)}; ${posted.errors[0] ?? ''})`,
      );
    }
    if (scenario.clock === 'hold') cpuBefore = await stack.cpuMicros();
    const startedAt = scenario.clock === 'hold' ? performance.now() : firstPostAt;
    model.release();
    log(`drain [${scenario.name}]: draining...`);
    const timeoutMs =
      (scenario.backlog /
        drainBound({ ...settings, latencySeconds: scenario.modelLatencyMs / 1000, requestsPerMinute: scenario.requestsPerMinute }).bound) *
        3000 +
      30_000;
    const lastDoneAt = await stack.waitForDone(posted.ids, timeoutMs);
    const cpuAfter = await stack.cpuMicros();
    const elapsedMs = lastDoneAt - startedAt;
    const cpuWallMs = performance.now() - startedAt;

    const rate = scenario.backlog / (elapsedMs / 1000);
    const bound = drainBound({
      ...settings,
      latencySeconds: scenario.modelLatencyMs / 1000,
      requestsPerMinute: scenario.requestsPerMinute,
    });
    const sequential = sequentialRate(scenario.modelLatencyMs / 1000);
    const batches = stack.batches.slice(batchesBefore);
    const extractionLogs = stack.handlerLogs.slice(logsBefore).filter((line) => line.service === 'tag-extraction');
    const items = await listAllEntries(stack, scenario.backlog);
    const stackCpuCores = round((cpuAfter - cpuBefore) / 1000 / cpuWallMs, 2);
    const allowedInFlight = settings.maxConcurrency * settings.recordConcurrency;
    const meanBatchMs = batches.length ? mean(batches.map((batch) => batch.ms)) : 0;
    return {
      scenario,
      settings,
      elapsedMs: round(elapsedMs, 0),
      postWallMs: round(posted.wallMs, 0),
      rate: round(rate, 2),
      bound,
      sequential,
      speedup: round(rate / sequential, 2),
      fractionOfBound: round(rate / bound.bound, 3),
      batches: {
        count: batches.length,
        meanRecords: batches.length ? round(mean(batches.map((batch) => batch.records)), 2) : 0,
        meanMs: batches.length ? round(mean(batches.map((batch) => batch.ms)), 0) : 0,
      },
      stackCpuCores,
      modelPeakInFlight: model.peakInFlight,
      allowedInFlight,
      observedLimit: describeLimit({
        rate,
        bound,
        peakInFlight: model.peakInFlight,
        allowedInFlight,
        stackCpuCores,
        meanBatchMs,
        latencyMs: scenario.modelLatencyMs,
        recordConcurrency: settings.recordConcurrency,
      }),
      modelUsage: model.usage(),
      retries: extractionLogs.filter((line) => line.message === 'extraction will be retried').length,
      extractionLogBytesPerEntry: round(extractionLogs.reduce((sum, line) => sum + line.bytes, 0) / scenario.backlog, 0),
      extractionLogLinesPerEntry: round(extractionLogs.length / scenario.backlog, 2),
      sampleItems: items,
      allDone: items.length >= scenario.backlog && items.every((item) => item.status === 'done'),
      targets: drainVerdicts(rate, bound, sequential),
    };
  } finally {
    model.release();
    await stack.stop();
  }
}

/** Names what held the rate down, from what was measured (not from what was expected). */
export function describeLimit(facts: {
  rate: number;
  bound: DrainBound;
  peakInFlight: number;
  allowedInFlight: number;
  stackCpuCores: number;
  meanBatchMs: number;
  latencyMs: number;
  recordConcurrency: number;
}): string {
  const { rate, bound, peakInFlight, allowedInFlight, stackCpuCores, meanBatchMs, latencyMs, recordConcurrency } = facts;
  const parts: string[] = [];
  if (bound.limitedBy === 'requests-per-minute limit') {
    // The limiter spaces calls 60/rpm s apart; what is left below the bound is the clock's start and the last call's latency.
    parts.push(
      `the requests-per-minute limiter (one call every ${round(1000 / bound.rateLimitBound, 0)} ms, ${round((rate / bound.bound) * 100, 0)}% of its rate)`,
    );
  } else if (rate >= MIN_FRACTION_OF_BOUND * bound.bound) {
    parts.push(`consumer concurrency (${round((rate / bound.bound) * 100, 0)}% of its bound)`);
  } else if (peakInFlight < allowedInFlight) {
    const shared =
      peakInFlight === recordConcurrency
        ? ' (= RECORD_CONCURRENCY: one module-level p-limit shared by all batches the local poller runs in one process)'
        : '';
    parts.push(`at most ${peakInFlight} model requests in flight although the settings allow ${allowedInFlight}${shared}`);
  }
  const perRequestMs = peakInFlight > 0 ? (peakInFlight / rate) * 1000 : 0;
  if (perRequestMs > latencyMs * 1.1) {
    parts.push(
      `each slot took ${round(perRequestMs, 0)} ms per record for a ${latencyMs} ms model (local overhead ${round(perRequestMs - latencyMs, 0)} ms)`,
    );
  }
  parts.push(`stack process at ${stackCpuCores} CPU cores`, `mean batch ${round(meanBatchMs, 0)} ms`);
  return parts.join('; ');
}

/** A few entries through the whole path first, so the lazy OpenAI module and the clients are warm. */
async function warmUp(stack: StackProcess, model: ModelServer, entries: BenchEntries, latencyMs: number): Promise<void> {
  const warm = await runClosedLoop({
    url: `${stack.apiUrl}/logs`,
    token: stack.devToken,
    count: 20,
    concurrency: 4,
    bodyFor: (index) => ({ entry: entryAt(entries, index + 1000) }),
  });
  await stack.waitForDone(warm.ids, 30_000 + latencyMs * 10);
  model.resetUsage();
}

/** Pages through GET /logs (newest first) until `count` entries are read. */
async function listAllEntries(stack: StackProcess, count: number): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  while (items.length < count) {
    const url = new URL(`${stack.apiUrl}/logs`);
    url.searchParams.set('limit', '100');
    if (cursor) url.searchParams.set('cursor', cursor);
    const response = await fetch(url, { headers: { authorization: `Bearer ${stack.devToken}` } });
    if (response.status !== 200) throw new Error(`GET /logs answered ${response.status}`);
    const page = (await response.json()) as { items: Record<string, unknown>[]; nextCursor?: string };
    items.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return items.slice(0, count);
}

/**
 * The two drain scenarios: the deployed consumer without a client-side limit (local default),
 * and with the account's requests-per-minute limit. Locally one process stands for all
 * maxConcurrency instances, so it gets the whole account limit (the deployed stack gives each
 * instance rpm / maxConcurrency).
 */
export function drainScenarios(options: { quick: boolean; accountRequestsPerMinute: number }): DrainScenario[] {
  const modelLatencyMs = 500;
  return [
    {
      name: 'no client-side rate limit',
      backlog: options.quick ? 100 : 500,
      modelLatencyMs,
      clock: 'hold',
      why: 'OPENAI_REQUESTS_PER_MINUTE unset (as in the local stack)',
    },
    {
      name: `account limit ${options.accountRequestsPerMinute} rpm`,
      backlog: options.quick ? 40 : 200,
      modelLatencyMs,
      requestsPerMinute: options.accountRequestsPerMinute,
      clock: 'from-first-post',
      why: `OPENAI_REQUESTS_PER_MINUTE=${options.accountRequestsPerMinute}: the stage default openAiRequestsPerMinute for the one local process (deployed: ${options.accountRequestsPerMinute} / ${CONSUMER_SETTINGS.maxConcurrency} per instance)`,
    },
  ];
}
