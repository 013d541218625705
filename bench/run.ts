import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Node } from 'constructs';
import { CONSUMER_SETTINGS, QUEUE_SETTINGS } from '../lambdas/contract/index.js';
import { readStageConfig } from '../lib/config.js';
import { AGGREGATOR_SCALES, type AggregatorScaleResult, aggregatorScaleRows, measureAggregatorScale } from './aggregator-scale.js';
import { measureColdStart, type ColdStartResult } from './cold-start.js';
import { costMeasurementsFrom } from './cost-inputs.js';
import { DEFAULT_ASSUMPTIONS, priceUsage, usagePerEntry, type Batching, type CostAssumptions } from './cost.js';
import { measureDecoupling, type DecouplingOptions, type DecouplingResult } from './decoupling.js';
import { drainScenarios, measureDrain, type DrainResult } from './drain.js';
import { loadBenchEntries, REPO_ROOT } from './entries.js';
import { describeMachine, machineLine } from './machine.js';
import { runCommand } from '../tools/cli.js';
import { parseBenchOptions, USAGE } from './options.js';
import { PRICES } from './prices.js';
import { renderChartSvg } from './chart.js';
import { formatTable, usd, type ReportRow } from './report.js';
import { coldStartRows, costRows, decouplingRows, drainRows } from './rows.js';
import { type ModelServer, offlineDictionary, startModelServer } from '../tools/model-server/index.js';
import { stopAllStackProcesses } from './stack-process.js';
import { round } from './stats.js';

/*
 * `npm run bench`: every number the README claims, measured here with its conditions.
 * Everything runs on loopback, each part has a time limit, and whatever was started is stopped
 * on success, failure, Ctrl-C or when the whole run overruns its budget.
 */

/** The whole run must end well inside 5 minutes on 2 cores; past this it stops itself. */
const RUN_BUDGET_MS = 285_000;
/** Longest life of one local stack process. */
const STACK_MAX_SECONDS = 200;

/** The decoupling counts of a full and of a quick run. */
function decouplingCounts(quick: boolean): DecouplingOptions {
  return quick
    ? { posts: 60, concurrency: 8, warmupPosts: 10, delaysMs: [0, 2000], baselinePosts: 16, directApiRequests: 15, directExtraction: { modelDelayMs: 500, singleRecordBatches: 3, fullBatches: 2 } }
    : { posts: 300, concurrency: 8, warmupPosts: 40, delaysMs: [0, 2000], baselinePosts: 80, directApiRequests: 60, directExtraction: { modelDelayMs: 500, singleRecordBatches: 8, fullBatches: 4 } };
}

const cleanups: (() => Promise<void>)[] = [];
let finishing = false;

/** Stops everything this run started (stack processes, the model server), newest first. */
async function stopEverything(): Promise<void> {
  await stopAllStackProcesses({ final: true }).catch(() => undefined);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
}

async function abort(reason: string, code: number): Promise<void> {
  // Ctrl-C reaches this process twice (from the terminal and relayed by tsx): the first one
  // cleans up and exits; later ones must not cut that cleanup short.
  if (finishing) return;
  finishing = true;
  process.stderr.write(`\nbench: ${reason}; stopping everything it started...\n`);
  await stopEverything();
  process.exit(code);
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  process.on('SIGINT', () => void abort('interrupted', 130));
  process.on('SIGTERM', () => void abort('terminated', 143));
  setTimeout(() => void abort(`over its ${RUN_BUDGET_MS / 1000} s budget`, 3), RUN_BUDGET_MS).unref();

  const startedAt = new Date();
  const machine = describeMachine();
  const log = (line: string) => process.stderr.write(`${((Date.now() - startedAt.getTime()) / 1000).toFixed(1).padStart(6)} s  ${line}\n`);
  const stage = readStageConfig({ tryGetContext: () => undefined } as unknown as Node);
  const entries = await loadBenchEntries();
  const wants = (section: string) => options.sections.includes(section as never);
  const settingsLine =
    `batchSize ${QUEUE_SETTINGS.batchSize}, batching window ${QUEUE_SETTINGS.maxBatchingWindowSeconds} s, maxConcurrency ${CONSUMER_SETTINGS.maxConcurrency}, ` +
    `recordConcurrency ${CONSUMER_SETTINGS.recordConcurrency}, visibility ${QUEUE_SETTINGS.visibilityTimeoutSeconds} s, ` +
    `openAiRequestsPerMinute ${stage.openAiRequestsPerMinute} (stage default), ${options.quick ? 'QUICK counts' : 'full counts'}`;

  const rows: ReportRow[] = [];
  const notes: string[] = [];
  const results: {
    decoupling?: DecouplingResult;
    drain?: DrainResult[];
    coldStart?: ColdStartResult;
    aggregatorScale?: AggregatorScaleResult[];
    cost?: unknown;
    errors: { section: string; message: string }[];
  } = { errors: [] };

  let model: ModelServer | undefined;
  const needsStack = wants('decoupling') || wants('drain') || wants('cost');
  try {
    if (needsStack) {
      const started = await startModelServer({ answer: offlineDictionary });
      model = started;
      cleanups.push(() => started.stop());
    }
    const section = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
      if (finishing) return undefined;
      try {
        return await run();
      } catch (error) {
        log(`${name} failed: ${(error as Error).stack ?? String(error)}`);
        results.errors.push({ section: name, message: (error as Error).message });
        await stopAllStackProcesses();
        return undefined;
      }
    };

    if (wants('decoupling') || wants('cost')) {
      // The cost model needs the decoupling run's handler timings; alone it gets the quick counts.
      const quick = options.quick || !wants('decoupling');
      if (!wants('decoupling')) notes.push('cost: handler timings come from a quick decoupling run (--only without decoupling)');
      results.decoupling = await section('decoupling', () =>
        measureDecoupling(decouplingCounts(quick), { model: model!, entries, log, maxSeconds: STACK_MAX_SECONDS }),
      );
      if (results.decoupling && wants('decoupling')) rows.push(...decouplingRows(results.decoupling));
    }

    if (wants('drain') || wants('cost')) {
      const scenarios = drainScenarios({ quick: options.quick || !wants('drain'), accountRequestsPerMinute: stage.openAiRequestsPerMinute });
      const selected = wants('drain') ? scenarios : scenarios.slice(0, 1);
      if (!wants('drain')) notes.push('cost: log bytes and item sizes come from a quick drain run (--only without drain)');
      results.drain = [];
      for (const scenario of selected) {
        const drained = await section(`drain (${scenario.name})`, () => measureDrain(scenario, { model: model!, entries, log, maxSeconds: STACK_MAX_SECONDS }));
        if (!drained) continue;
        results.drain.push(drained);
        if (wants('drain')) rows.push(...drainRows(drained));
      }
    }

    if (wants('cold-start')) {
      results.coldStart = await section('cold-start', () => measureColdStart({ runs: options.quick ? 5 : 21 }, log, (cleanup) => cleanups.push(cleanup)));
      if (results.coldStart) rows.push(...coldStartRows(results.coldStart));
    }

    if (wants('aggregator-scale')) {
      const scales = options.quick ? [10, 1_000] : [...AGGREGATOR_SCALES];
      results.aggregatorScale = await section('aggregator-scale', () => measureAggregatorScale(scales, log));
      if (results.aggregatorScale) rows.push(...aggregatorScaleRows(results.aggregatorScale));
    }

    if (wants('cost')) {
      const drain = results.drain?.find((result) => result.scenario.requestsPerMinute === undefined);
      if (!results.decoupling || !drain) {
        results.errors.push({ section: 'cost', message: 'needs a finished decoupling and drain run' });
      } else {
        const measured = costMeasurementsFrom(results.decoupling, drain);
        const memory = Object.fromEntries((results.coldStart?.functions ?? []).map((fn) => [fn.name, fn.memoryMb]));
        const assumptions: CostAssumptions = {
          ...DEFAULT_ASSUMPTIONS,
          ...(memory.api ? { apiMemoryMb: memory.api } : {}),
          ...(memory.extraction ? { extractionMemoryMb: memory.extraction } : {}),
        };
        const memorySource = memory.api ? 'from the synthesized templates' : 'lib/ stacks, not re-read without cold-start';
        const bills = Object.fromEntries(
          (['full batches', 'single-record batches'] as Batching[]).map((batching) => {
            const usage = usagePerEntry(measured, assumptions, batching);
            return [batching, { usage, breakdown: priceUsage(usage, PRICES) }];
          }),
        ) as Record<Batching, { usage: ReturnType<typeof usagePerEntry>; breakdown: ReturnType<typeof priceUsage> }>;
        rows.push(...costRows(bills, measured, assumptions, PRICES, memorySource));
        const fixed = fixedMonthlyCost(measured.capacity.meanDoneItemBytes);
        rows.push({
          section: rows.at(-1)!.section,
          figure: 'fixed per month (not per entry)',
          value: usd(fixed.total),
          conditions: fixed.basis,
        });
        results.cost = { prices: PRICES, assumptions, measured, bills, fixedMonthly: fixed };
      }
    }
  } finally {
    finishing = true;
    await stopEverything();
  }

  const loadAtEnd = describeMachine().loadAverage1m;
  const busy = Math.max(machine.loadAverage1m, loadAtEnd) > 1;
  const header = [
    `devlog-tags bench, ${startedAt.toISOString()} (${round((Date.now() - startedAt.getTime()) / 1000, 0)} s)`,
    `Machine:  ${machineLine(machine)} at start, ${loadAtEnd} at end${busy ? ' (WARNING: other processes were busy; latency and init figures are pessimistic)' : ''}`,
    `Settings: ${settingsLine}`,
    `Entries:  ${entries.source}; model: tools/model-server (OpenAI wire format on 127.0.0.1, answers from the offline dictionary after a set delay)`,
  ];
  console.log(`\n${header.join('\n')}\n\n${formatTable(rows)}`);
  for (const note of notes) console.log(`note: ${note}`);
  for (const error of results.errors) console.log(`ERROR in ${error.section}: ${error.message}`);
  const withTargets = rows.filter((row) => row.pass !== undefined);
  console.log(`\nTargets: ${withTargets.filter((row) => row.pass).length} pass, ${withTargets.filter((row) => !row.pass).length} fail`);
  for (const row of withTargets) console.log(`  ${row.pass ? 'PASS' : 'FAIL'}  ${row.section} / ${row.figure}: ${row.value} (target ${row.target})`);

  const resultsDir = path.join(REPO_ROOT, 'bench/results');
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(
    file,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        durationSeconds: round((Date.now() - startedAt.getTime()) / 1000, 1),
        options,
        machine: { ...machine, loadAverage1mAtEnd: loadAtEnd },
        settings: { queue: QUEUE_SETTINGS, consumer: CONSUMER_SETTINGS, openAiRequestsPerMinute: stage.openAiRequestsPerMinute },
        entries: { source: entries.source, meanBytes: round(entries.meanBytes, 1) },
        results: { ...results, drain: results.drain?.map(({ sampleItems, ...rest }) => ({ ...rest, sampleItems: sampleItems.length })) },
        rows,
        notes,
      },
      null,
      2,
    )}\n`,
  );
  // The chart of every run sits beside its JSON (ignored by git like it); latest.svg, the one the
  // README shows, is committed.
  const chart = renderChartSvg(rows, `devlog-tags bench ${startedAt.toISOString()}, ${machineLine(machine)}`);
  const chartFile = file.replace(/\.json$/, '.svg');
  await writeFile(chartFile, chart);
  await writeFile(path.join(resultsDir, 'latest.svg'), chart);
  console.log(`Results: ${path.relative(REPO_ROOT, file)}, chart ${path.relative(REPO_ROOT, chartFile)} (also bench/results/latest.svg)`);
  if (results.errors.length > 0) process.exitCode = 1;
}

/**
 * What the system costs per month whatever the traffic: the secret, the 7 alarms of lib/, the
 * event source mapping's idle long polls, and storage of 1M entries (with PITR).
 */
function fixedMonthlyCost(meanItemBytes: number): { total: number; basis: string } {
  const alarms = 7;
  // The SQS event source mapping long-polls (20 s) with about 5 pollers while idle.
  const idlePollRequests = 5 * 3 * 60 * 24 * 30;
  const storageGb = ((meanItemBytes + 100) * 1_000_000) / 2 ** 30;
  const parts = {
    secret: PRICES.monthly.secretsManagerPerSecret,
    alarms: alarms * PRICES.monthly.cloudWatchAlarmStandard,
    idlePolls: (idlePollRequests * PRICES.sqsStandardPerMillionRequests) / 1e6,
    storage: storageGb * (PRICES.monthly.dynamoDbStoragePerGb + PRICES.monthly.dynamoDbPitrPerGb),
  };
  return {
    total: Object.values(parts).reduce((sum, value) => sum + value, 0),
    basis: `secret ${usd(parts.secret)}, ${alarms} alarms ${usd(parts.alarms)}, ~${Math.round(idlePollRequests / 1000)}k idle SQS long polls ${usd(parts.idlePolls)}, 1M stored entries ${round(storageGb, 2)} GB + PITR ${usd(parts.storage)} (assumed)`,
  };
}

await runCommand({ name: 'npm run bench', usage: USAGE }, async () => {
  try {
    await main();
  } catch (error) {
    await stopEverything();
    throw error;
  }
});
// Everything started has been stopped; exit even if an idle keep-alive socket of a client
// library would hold the event loop open a little longer.
process.exit(process.exitCode ?? 0);
