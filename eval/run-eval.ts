/**
 * `npm run eval -- [--threshold 0.8] [--extractor offline|openai] [--limit N]`: runs an extractor
 * over the labelled dev logs and prints micro precision/recall/F1, per-entry misses and extras,
 * what postProcessTags dropped, tokens and cost. Exits 1 below the threshold (so CI can gate a
 * prompt change), 2 on a usage or data set error.
 *
 * `--model X [--baseline results.json]`: evaluates candidate model X (with `--prompt-version`, a
 * candidate prompt) and compares it with production: the saved report, or else a run of the
 * production model and prompt on the same entries. Exits 1 on a regression beyond
 * `--max-regression`, so a model migration is gated like a prompt change.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { TagExtractor } from '../lambdas/tag-extraction/domain/ports.js';
import { LATEST_PROMPT_VERSION } from '../lambdas/tag-extraction/prompts.js';
import { runCommand, UsageError } from '../tools/shared/cli.js';
import { compareRuns, parseBaseline, type RunScores } from './compare.js';
import { DatasetError, type LabelledEntry, loadDataset } from './dataset.js';
import { type Evaluation, evaluate } from './evaluate.js';
import { estimateCostUsd, OFFLINE_MODEL, offlineExtractor, openAiExtractor, openAiSettingsFromEnv } from './extractors.js';
import { type EvalOptions, parseEvalOptions, USAGE } from './options.js';
import { createProgressBar } from './progress.js';
import { formatReport, passes, reportJson } from './report.js';

/** The extractor of the run and the model it is configured with. */
function extractorOf(options: EvalOptions, promptVersion: number, model?: string): { extractor: TagExtractor; model: string } {
  if (options.extractor !== 'openai') return { extractor: offlineExtractor(), model: OFFLINE_MODEL };
  const settings = openAiSettingsFromEnv(process.env, promptVersion);
  if ('missing' in settings) {
    throw new UsageError(`--extractor openai is not configured: ${settings.missing} (OPENAI_BASE_URL and OPENAI_MODEL are optional)`);
  }
  const configured = { ...settings, model: model ?? settings.model };
  return { extractor: openAiExtractor(configured), model: configured.model };
}

async function run(
  dataset: LabelledEntry[],
  options: EvalOptions,
  label: string,
  chosen: { extractor: TagExtractor; model: string },
): Promise<Evaluation> {
  const progress = createProgressBar(process.stderr, label);
  const evaluation = await evaluate(dataset, chosen.extractor, {
    concurrency: options.concurrency,
    onProgress: (done, total) => progress.update(done, total),
  });
  progress.finish();
  // When every call failed no answer named the model; report (and price) the configured one.
  evaluation.model ??= chosen.model;
  return evaluation;
}

/** Production's scores: the saved baseline, or a run of the production model and prompt. */
async function productionScores(dataset: LabelledEntry[], options: EvalOptions): Promise<RunScores & { source: string }> {
  if (options.baseline) {
    const text = await readFile(options.baseline, 'utf8').catch((error: Error) => {
      throw new UsageError(`--baseline ${options.baseline} cannot be read: ${error.message}`);
    });
    return { ...parseBaseline(text, options.baseline), source: options.baseline };
  }
  const production = await run(dataset, options, 'eval production', extractorOf(options, LATEST_PROMPT_VERSION));
  return {
    model: production.model,
    promptVersion: LATEST_PROMPT_VERSION,
    overall: production.overall,
    source: 'run now on the same entries',
  };
}

async function main(): Promise<number> {
  const options = parseEvalOptions(process.argv.slice(2));
  const promptVersion = options.promptVersion ?? LATEST_PROMPT_VERSION;
  const candidate = extractorOf(options, promptVersion, options.model);

  let dataset: LabelledEntry[];
  try {
    dataset = (await loadDataset(options.dataset)).slice(0, options.limit);
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    // Every bad line of the data set, one per line: the file's author needs them all.
    console.error(error.message);
    return 2;
  }
  const evaluation = await run(dataset, options, `eval ${options.model ?? options.extractor}`, candidate);

  const context = {
    extractor: options.extractor,
    dataset: options.dataset,
    promptVersion: options.extractor === 'openai' ? promptVersion : undefined,
    threshold: options.threshold,
    costUsd: estimateCostUsd(evaluation.model ?? '', evaluation.usage, process.env),
    concurrency: options.concurrency,
    conditions: `Node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} CPUs, ${new Date().toISOString()}`,
  };
  const comparing = options.model !== undefined || options.baseline !== undefined;
  const comparison = comparing
    ? compareRuns(
        { model: evaluation.model, promptVersion: context.promptVersion, overall: evaluation.overall },
        await productionScores(dataset, options),
        options.maxRegression,
      )
    : undefined;
  if (options.json) console.log(JSON.stringify({ ...reportJson(evaluation, context), ...(comparison ? { comparison } : {}) }, null, 2));
  else console.log([formatReport(evaluation, context), ...(comparison ? ['', ...comparison.lines] : [])].join('\n'));
  return passes(evaluation, options.threshold) && !comparison?.regressed ? 0 : 1;
}

await runCommand({ name: 'npm run eval', usage: USAGE }, main);
