import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Node } from 'constructs';
import { CONSUMER_SETTINGS, QUEUE_SETTINGS } from '../lambdas/contract/index.js';
import { readStageConfig } from '../lib/shared/config.js';
import { AGGREGATOR_SCALES, aggregatorScaleRows, measureAggregatorScale } from './aggregator-scale.js';
import { measureColdStart } from './cold-start.js';
import { measureCost } from './cost.js';
import { measureDecoupling, type DecouplingOptions } from './decoupling.js';
import { drainScenarios, measureDrain, type DrainResult } from './drain.js';
import { loadBenchEntries, REPO_ROOT } from './entries.js';
import { describeMachine, machineLine } from './machine.js';
import { runCommand } from '../tools/shared/cli.js';
import { parseBenchOptions, type Section, USAGE } from './options.js';
import { renderChartSvg } from './chart.js';
import { formatTable, type ReportRow } from './report.js';
import { coldStartRows, costRows, decouplingRows, drainRows } from './rows.js';
import { type ModelServer, offlineDictionary, startModelServer } from '../tools/tag-extraction/model-server/index.js';
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
/** The sections that run a local stack against the scripted model. */
const STACK_SECTIONS: readonly Section[] = ['decoupling', 'drain', 'cost'];
/** The chart the README shows; committed, so only `--update-chart` rewrites it. */
const README_CHART = path.join(REPO_ROOT, 'bench/results/latest.svg');

/** The decoupling counts of a full and of a quick run: the same load shape, a quick run's sizes smaller. */
function decouplingCounts(quick: boolean): DecouplingOptions {
  const sizes = quick
    ? { posts: 60, warmupPosts: 10, baselinePosts: 16, directApiRequests: 15, singleRecordBatches: 3, fullBatches: 2 }
    : { posts: 300, warmupPosts: 40, baselinePosts: 80, directApiRequests: 60, singleRecordBatches: 8, fullBatches: 4 };
  const { singleRecordBatches, fullBatches, ...counts } = sizes;
  return {
    ...counts,
    concurrency: 8,
    delaysMs: [0, 2000],
    directExtraction: { modelDelayMs: 500, singleRecordBatches, fullBatches },
  };
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
  const settingsLine =
    `batchSize ${QUEUE_SETTINGS.batchSize}, batching window ${QUEUE_SETTINGS.maxBatchingWindowSeconds} s, maxConcurrency ${CONSUMER_SETTINGS.maxConcurrency}, ` +
    `recordConcurrency ${CONSUMER_SETTINGS.recordConcurrency}, visibility ${QUEUE_SETTINGS.visibilityTimeoutSeconds} s, ` +
    `openAiRequestsPerMinute ${stage.openAiRequestsPerMinute} (stage default), ${options.quick ? 'QUICK counts' : 'full counts'}`;

  const rows: ReportRow[] = [];
  const notes: string[] = [];
  const results: Record<string, unknown> & { errors: { section: string; message: string }[] } = { errors: [] };

  let model: ModelServer | undefined;
  const deps = () => ({ model: model!, entries, log, maxSeconds: STACK_MAX_SECONDS });
  /*
   * The sections, in the order they run: each measures, returns its result (kept under its name in
   * the results JSON) and its table rows. A new section is one entry here and one name in
   * bench/options.ts's SECTIONS.
   */
  const runners: Record<Section, () => Promise<{ result: unknown; rows: ReportRow[] }>> = {
    decoupling: async () => {
      const result = await measureDecoupling(decouplingCounts(options.quick), deps());
      return { result, rows: decouplingRows(result) };
    },
    drain: async () => {
      const drained: DrainResult[] = [];
      for (const scenario of drainScenarios({ quick: options.quick, accountRequestsPerMinute: stage.openAiRequestsPerMinute })) {
        drained.push(await measureDrain(scenario, deps()));
      }
      return {
        result: drained.map(({ sampleItems, ...rest }) => ({ ...rest, sampleItems: sampleItems.length })),
        rows: drained.flatMap(drainRows),
      };
    },
    'cold-start': async () => {
      const result = await measureColdStart({ runs: options.quick ? 5 : 21 }, log, (cleanup) => cleanups.push(cleanup));
      return { result, rows: coldStartRows(result) };
    },
    cost: async () => {
      const result = await measureCost({ quick: options.quick }, deps());
      return { result, rows: costRows(result) };
    },
    'aggregator-scale': async () => {
      const result = await measureAggregatorScale(options.quick ? [10, 1_000] : [...AGGREGATOR_SCALES], log);
      return { result, rows: aggregatorScaleRows(result) };
    },
  };
  const needsModel = options.sections.some((name) => STACK_SECTIONS.includes(name));
  try {
    if (needsModel) {
      const started = await startModelServer({ answer: offlineDictionary });
      model = started;
      cleanups.push(() => started.stop());
    }
    for (const name of options.sections) {
      if (finishing) break;
      try {
        const { result, rows: sectionRows } = await runners[name]();
        results[name] = result;
        rows.push(...sectionRows);
      } catch (error) {
        log(`${name} failed: ${(error as Error).stack ?? String(error)}`);
        results.errors.push({ section: name, message: (error as Error).message });
        await stopAllStackProcesses();
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
    `Entries:  ${entries.source}; model: tools/tag-extraction/model-server (OpenAI wire format on 127.0.0.1, answers from the offline dictionary after a set delay)`,
  ];
  const withTargets = rows.filter((row) => row.pass !== undefined);
  if (options.json) {
    // One JSON object on stdout (progress went to stderr): the cost section's result as it is
    // when only cost ran, else every section's result by name.
    const only = options.sections.length === 1 ? results[options.sections[0]!] : results;
    console.log(JSON.stringify(only ?? { errors: results.errors }, null, 2));
  } else {
    console.log(`\n${header.join('\n')}\n\n${formatTable(rows)}`);
    for (const note of notes) console.log(`note: ${note}`);
    for (const error of results.errors) console.log(`ERROR in ${error.section}: ${error.message}`);
    console.log(`\nTargets: ${withTargets.filter((row) => row.pass).length} pass, ${withTargets.filter((row) => !row.pass).length} fail`);
    for (const row of withTargets)
      console.log(`  ${row.pass ? 'PASS' : 'FAIL'}  ${row.section} / ${row.figure}: ${row.value} (target ${row.target})`);
  }

  // Every run's JSON and chart go to bench/results/, which git ignores; only --update-chart
  // rewrites the committed chart the README shows (README_CHART).
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
        results,
        rows,
        notes,
      },
      null,
      2,
    )}\n`,
  );
  const chart = renderChartSvg(rows, `devlog-tags bench ${startedAt.toISOString()}, ${machineLine(machine)}`);
  const chartFile = file.replace(/\.json$/, '.svg');
  await writeFile(chartFile, chart);
  if (options.updateChart) await writeFile(README_CHART, chart);
  process.stderr.write(
    `Results: ${path.relative(REPO_ROOT, file)}, chart ${path.relative(REPO_ROOT, chartFile)}${options.updateChart ? ` (also ${path.relative(REPO_ROOT, README_CHART)})` : ''}\n`,
  );
  if (results.errors.length > 0) process.exitCode = 1;
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
