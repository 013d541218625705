import { BUNDLE_BUDGET_KIB } from '../lib/shared/bundle-budgets.js';
import type { ColdStartResult } from './cold-start.js';
import { kib } from './cold-start.js';
import { type CostResult, MAX_AWS_USD_PER_MILLION, MAX_LLM_USD_PER_MILLION } from './cost.js';
import type { DecouplingResult } from './decoupling.js';
import { type ConsumerActivity, MAX_P99_RATIO } from './decoupling.js';
import type { DrainResult } from './drain.js';
import { PRICES } from './prices.js';
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
      conditions: "the local API gateway's own time per POST (JWT check + handler), whole ms, same POSTs",
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
        conditions: `${fn.assetDir.slice(0, 18)}..., minified ESM, SDK bundled, ${fn.memoryMb} MB function${fn.bannerMatches ? '' : "; WARNING: banner differs from the floor's"}`,
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
      conditions:
        'DynamoDBClient + DynamoDBDocumentClient + SQSClient created at init, same esbuild options (what all three handlers create at init)',
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

/** Table rows of the cost section: per scenario the AWS and model totals and each service, against the targets for steady traffic. */
export function costRows(result: CostResult): ReportRow[] {
  const section = `cost per 1M entries (metered local run, ${PRICES.region} list prices read ${PRICES.lambdaRequest.asOf}, bench/prices.ts)`;
  const rows: ReportRow[] = [];
  for (const { scenario, bill, batches } of result.scenarios) {
    const conditions = `${scenario.entries} entries, ${scenario.conditions}; ${batches.count} batches of ${batches.meanRecords} records on average`;
    const steady = scenario.name === 'steady';
    rows.push({
      section,
      figure: `AWS, ${scenario.name}`,
      value: usd(bill.awsUsdPerMillionEntries),
      ...(steady ? { target: `<= $${MAX_AWS_USD_PER_MILLION}`, pass: bill.awsUsdPerMillionEntries <= MAX_AWS_USD_PER_MILLION } : {}),
      conditions: `${conditions}; ${Object.entries(bill.byService)
        .filter(([service]) => service !== 'OpenAI')
        .map(([service, value]) => `${service} ${usd(value)}`)
        .join(', ')}`,
    });
    rows.push({
      section,
      figure: `model, ${scenario.name}`,
      value: usd(bill.llmUsdPerMillionEntries),
      ...(steady ? { target: `<= $${MAX_LLM_USD_PER_MILLION}`, pass: bill.llmUsdPerMillionEntries <= MAX_LLM_USD_PER_MILLION } : {}),
      conditions: String(result.conditions.model),
    });
  }
  const fixed = result.fixedMonthlyUsd;
  if (fixed) {
    rows.push({
      section,
      figure: 'fixed per month (not per entry)',
      value: usd(fixed.usd),
      conditions: `${fixed.counts.alarms} alarms, ${fixed.counts.dashboards} dashboards, ${fixed.counts.secrets} secret, ${Math.round(fixed.counts.idlePolls / 1000)}k idle SQS long polls (synthesized stacks)`,
    });
  }
  return rows;
}
