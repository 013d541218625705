import { BUNDLE_BUDGET_KIB } from '../lib/bundle-budgets.js';
import type { ColdStartResult } from './cold-start.js';
import { kib } from './cold-start.js';
import type { Batching, CostAssumptions, CostBreakdown, CostMeasurements, UsagePerEntry } from './cost.js';
import { MAX_AWS_USD_PER_MILLION } from './cost.js';
import type { DecouplingResult } from './decoupling.js';
import { type ConsumerActivity, MAX_P99_RATIO } from './decoupling.js';
import type { DrainResult } from './drain.js';
import type { PriceTable } from './prices.js';
import { ms, usd, type ReportRow } from './report.js';
import { round } from './stats.js';

/** A decoupling phase as the table names it. */
function phaseName(phase: { modelDelayMs: number; consumer: ConsumerActivity }): string {
  return phase.consumer === 'idle' ? 'no extraction' : `model ${phase.modelDelayMs / 1000} s, extracting`;
}

/** Table rows of the decoupling section. */
export function decouplingRows(result: DecouplingResult): ReportRow[] {
  const section = 'decoupling (POST latency vs model latency)';
  const { options } = result;
  const stack = `local stack in a child process (emulators + real handlers), client in the bench process, keep-alive, ${options.warmupPosts} warm-up POSTs`;
  const rows: ReportRow[] = result.async.map((phase) => ({
    section,
    figure: `POST /logs, ${phaseName(phase)}`,
    value: `p50 ${ms(phase.latencyMs.p50)}, p99 ${ms(phase.latencyMs.p99)}`,
    conditions: `${phase.posts} POSTs at concurrency ${phase.concurrency} (${Math.round((phase.posts / phase.wallMs) * 1000)}/s), ${stack}; all ${JSON.stringify(phase.statuses)}`,
  }));
  rows.push({
    section,
    figure: `POST p99, ${options.delaysMs[1] / 1000} s model / no extraction`,
    value: String(result.p99Ratio),
    target: `<= ${MAX_P99_RATIO}`,
    pass: result.targets[0]!.pass,
    conditions: `${result.targets[0]!.detail}; with the slow model the consumer waits on it in the same process (${result.pendingAtStop} of its entries still pending at the phase's end, not waited for); the instant-model phase shows CPU sharing, which AWS does not have`,
  });
  for (const gateway of result.gatewayMs) {
    rows.push({
      section,
      figure: `gateway log, ${phaseName(gateway)}`,
      value: `p50 ${ms(gateway.latencyMs.p50)}, p99 ${ms(gateway.latencyMs.p99)}`,
      conditions: 'the local API gateway\'s own time per POST (JWT check + handler), whole ms, same POSTs',
    });
  }
  for (const phase of result.sync) {
    rows.push({
      section,
      figure: `synchronous baseline, model ${phase.modelDelayMs / 1000} s`,
      value: `p50 ${ms(phase.latencyMs.p50)}, p99 ${ms(phase.latencyMs.p99)}`,
      conditions: `${phase.posts} POSTs at concurrency ${phase.concurrency} against a minimal server that calls the same model inside the request (no DynamoDB/SQS), in the bench process`,
    });
  }
  rows.push(
    {
      section,
      figure: 'API handler alone, POST / GET',
      value: `median ${ms(result.apiHandlerDirect.postMs.median)} / ${ms(result.apiHandlerDirect.getMs.median)}`,
      conditions: `p99 ${ms(result.apiHandlerDirect.postMs.p99)} / ${ms(result.apiHandlerDirect.getMs.p99)}; ${result.apiHandlerDirect.postMs.count} each, POSTs with an Idempotency-Key, called directly one at a time in the stack process against the local emulators (in AWS each of the 4 / 1 SDK calls adds a few ms)`,
    },
    {
      section,
      figure: 'extraction handler, 1 / 10 records',
      value: `median ${ms(result.extractionDirect.singleRecordMs.median)} / ${ms(result.extractionDirect.fullBatchMs.median)}`,
      conditions: `model ${result.extractionDirect.modelDelayMs} ms; ${result.extractionDirect.singleRecordMs.count} batches of 1, ${result.extractionDirect.fullBatchMs.count} of ${result.extractionDirect.fullBatchSize}, called directly one at a time with the queue empty`,
    },
  );
  return rows;
}

/** Table rows of one drain scenario. */
export function drainRows(result: DrainResult): ReportRow[] {
  const section = `drain, ${result.scenario.name}`;
  const { settings, scenario } = result;
  const conditions = `backlog ${scenario.backlog}, model ${scenario.modelLatencyMs} ms, maxConcurrency ${settings.maxConcurrency} x recordConcurrency ${settings.recordConcurrency}, batch ${settings.batchSize}; ${scenario.why}; clock: ${scenario.clock === 'hold' ? 'from the release of a model that held every answer while the backlog was POSTed' : 'from the first POST'}`;
  return [
    {
      section,
      figure: 'drain rate',
      value: `${round(result.rate, 1)} entries/s`,
      conditions: `${scenario.backlog} entries done in ${round(result.elapsedMs / 1000, 1)} s; ${conditions}; all done: ${result.allDone}`,
    },
    {
      section,
      figure: 'vs sequential consumer',
      value: `${round(result.speedup, 1)}x`,
      target: result.targets[0]!.name,
      pass: result.targets[0]!.pass,
      conditions: `sequential = 1 / latency = ${round(result.sequential, 2)}/s`,
    },
    {
      section,
      figure: 'vs bound',
      value: `${round(result.fractionOfBound * 100, 0)}%`,
      target: '>= 90%',
      pass: result.targets[1]!.pass,
      conditions: `bound = min(${settings.maxConcurrency} x ${settings.recordConcurrency} / ${scenario.modelLatencyMs / 1000} s = ${round(result.bound.concurrencyBound, 1)}/s, rpm/60 = ${Number.isFinite(result.bound.rateLimitBound) ? `${round(result.bound.rateLimitBound, 2)}/s` : 'none'}) = ${round(result.bound.bound, 2)}/s (${result.bound.limitedBy})`,
    },
    {
      section,
      figure: 'what limited it',
      value: result.observedLimit.split(/[;(]/)[0]!.trim(),
      conditions: `${result.observedLimit}; model peak in flight ${result.modelPeakInFlight}/${result.allowedInFlight}; ${result.batches.count} batches, mean ${result.batches.meanRecords} records, ${result.batches.meanMs} ms; stack process ${result.stackCpuCores} cores; retries ${result.retries}`,
    },
  ];
}

/** Table rows of the cold-start section. */
export function coldStartRows(result: ColdStartResult): ReportRow[] {
  const section = 'cold start (bundles, module init)';
  const rows: ReportRow[] = [];
  for (const fn of result.functions) {
    const [initTarget, sizeTarget] = result.targets.filter((target) => target.name.startsWith(`${fn.name} `));
    rows.push(
      {
        section,
        figure: `${fn.name} index.mjs`,
        value: `${kib(fn.bundleBytes)} KiB`,
        target: `<= ${BUNDLE_BUDGET_KIB[fn.name]} KiB`,
        pass: sizeTarget!.pass,
        conditions: `${fn.assetDir.slice(0, 18)}..., minified ESM, SDK bundled, ${fn.memoryMb} MB function${fn.bannerMatches ? '' : '; WARNING: banner differs from the floor\'s'}`,
      },
      {
        section,
        figure: `${fn.name} init`,
        value: `${ms(fn.initMedianMs)} (${fn.initRatio}x floor)`,
        target: '<= 1.1x floor',
        pass: initTarget!.pass,
        conditions: `${result.conditions}; median of per-round ratios ${fn.pairedRatioMedian}x`,
      },
    );
  }
  rows.push(
    {
      section,
      figure: 'floor: bare SDK clients',
      value: `${ms(result.floor.initMedianMs)}, ${kib(result.floor.bundleBytes)} KiB`,
      conditions: 'DynamoDBClient + DynamoDBDocumentClient + SQSClient created at init, same esbuild options (what all three handlers create at init)',
    },
    {
      section,
      figure: `lazy ${'adapters/openai-tag-extractor.js'}`,
      value: `${ms(result.lazy.importMedianMs)}, ${kib(result.lazy.bundleBytes)} KiB`,
      conditions: `import after the extraction handler in the same fresh process (paid on the first record of a container), median of ${result.runs}`,
    },
    {
      section,
      figure: 'synth with bundling',
      value: ms(result.synthMs),
      conditions: 'a fresh App + addStage as bin/app.ts (cdk-nag on) in a child process, esbuild bundling of 3 functions + the lazy file',
    },
  );
  return rows;
}

/** Table rows of the cost section: each bill line for both batching cases, then the totals against the target. */
export function costRows(
  bills: Record<Batching, { usage: UsagePerEntry; breakdown: CostBreakdown }>,
  measured: CostMeasurements,
  assumptions: CostAssumptions,
  prices: PriceTable,
  memorySource: string,
): ReportRow[] {
  const section = `cost per 1M entries (${prices.region} list prices as of ${prices.asOf}, not fetched; values: full batches / single-record batches)`;
  const full = bills['full batches'];
  const single = bills['single-record batches'];
  const basis: Record<string, string> = {
    'API Gateway HTTP API requests': `${1 + assumptions.getsPerEntry} requests/entry: 1 POST + ${assumptions.getsPerEntry} GET /logs/{id} (assumed)`,
    'Lambda requests (API + extraction)': `${1 + assumptions.getsPerEntry} API + 1/${measured.fullBatchSize} (full) or 1 (single) extraction invocations/entry`,
    'Lambda duration, API function': `POST ${measured.apiPostMs} ms + GET ${measured.apiGetMs} ms (medians, measured locally), ${assumptions.apiMemoryMb} MB arm64 (${memorySource})`,
    'Lambda duration, extraction function': `${measured.extractionFullBatchMs} ms per ${measured.fullBatchSize}-record batch / ${measured.extractionSingleRecordMs} ms per 1-record batch (model ${measured.modelLatencyMs} ms), ${assumptions.extractionMemoryMb} MB`,
    'SQS requests': `SendMessage + (ReceiveMessage + DeleteMessageBatch) per batch + retries (${round(measured.retriesPerEntry, 3)}/entry); idle long polls not counted`,
    'DynamoDB write request units': `${round(full.usage.dynamoDbWriteUnits, 2)} WRU/entry: Put ${measured.capacity.postWriteUnits} (item + pending index) + idempotency ${measured.capacity.idempotencyWriteUnits} x ${assumptions.idempotencyKeyShare} + update ${measured.capacity.extractionWriteUnits} (item + index removal); items ${Math.round(measured.capacity.meanPendingItemBytes)}-${Math.round(measured.capacity.meanDoneItemBytes)} B`,
    'DynamoDB read request units': `${round(full.usage.dynamoDbReadUnits, 2)} RRU/entry: extraction GetItem + ${assumptions.getsPerEntry} GET, strongly consistent (1 RRU per 4 KB)`,
    'CloudWatch Logs ingestion': `${Math.round(full.usage.logBytes)} / ${Math.round(single.usage.logBytes)} B/entry: handler lines measured (${measured.extractionLogBytesPerEntry} B extraction, ${measured.apiLogBytesPerRequest} B API), EMF ${measured.emfBytesFullBatch}/${measured.emfBytesSingleRecord} B per invocation, platform ${assumptions.platformLogBytesPerInvocation} B + access log ${assumptions.accessLogBytesPerRequest} B (assumed), 26 B/event`,
    'Secrets Manager API calls': 'one GetSecretValue per 5 min for one warm container over 30 days (assumed)',
    'X-Ray traces recorded': `${assumptions.xraySampledShare * 100}% of invocations sampled (default rule at volume; at low volume the 1/s reservoir records more)`,
    'OpenAI gpt-4o-mini input tokens': `${measured.inputTokensPerEntry} tokens/entry (messages + JSON schema, chars/4, from the model server)`,
    'OpenAI gpt-4o-mini output tokens': `${measured.outputTokensPerEntry} tokens/entry`,
  };
  const rows: ReportRow[] = full.breakdown.lines.map((line, index) => ({
    section,
    figure: line.item,
    value: `${usd(line.usd)} / ${usd(single.breakdown.lines[index]!.usd)}`,
    conditions: basis[line.item] ?? '',
  }));
  for (const [batching, bill] of Object.entries(bills) as [Batching, (typeof bills)[Batching]][]) {
    rows.push({
      section,
      figure: `AWS total, ${batching}`,
      value: usd(bill.breakdown.awsUsd),
      target: `<= $${MAX_AWS_USD_PER_MILLION}`,
      pass: bill.breakdown.awsUsd <= MAX_AWS_USD_PER_MILLION,
      conditions: `+ OpenAI ${usd(bill.breakdown.openAiUsd)} = ${usd(bill.breakdown.totalUsd)}; free tiers ignored; bench/prices.ts`,
    });
  }
  return rows;
}
