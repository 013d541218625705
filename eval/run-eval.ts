/**
 * `npm run eval -- [--threshold 0.8] [--extractor offline|openai] [--limit N]`: runs an extractor
 * over the labelled dev logs and prints micro precision/recall/F1, per-entry misses and extras,
 * what postProcessTags dropped, tokens and cost. Exits 1 below the threshold (so CI can gate a
 * prompt change), 2 on a usage or data set error.
 */
import os from 'node:os';
import type { TagExtractor } from '../lambdas/extraction/domain/ports.js';
import { LATEST_PROMPT_VERSION } from '../lambdas/extraction/prompts.js';
import { DatasetError, type LabelledEntry, loadDataset } from './dataset.js';
import { evaluate } from './evaluate.js';
import { estimateCostUsd, OFFLINE_MODEL, offlineExtractor, openAiExtractor, openAiSettingsFromEnv } from './extractors.js';
import { runCommand, UsageError } from '../tools/cli.js';
import { parseEvalOptions, USAGE } from './options.js';
import { createProgressBar } from './progress.js';
import { formatReport, passes, reportJson } from './report.js';

async function main(): Promise<number> {
  const options = parseEvalOptions(process.argv.slice(2));
  const promptVersion = options.promptVersion ?? LATEST_PROMPT_VERSION;
  let extractor: TagExtractor;
  let configuredModel = OFFLINE_MODEL;
  if (options.extractor === 'openai') {
    const settings = openAiSettingsFromEnv(process.env, promptVersion);
    if ('missing' in settings) {
      throw new UsageError(
        `--extractor openai is not configured: ${settings.missing} (OPENAI_BASE_URL and OPENAI_MODEL are optional)`,
      );
    }
    extractor = openAiExtractor(settings);
    configuredModel = settings.model;
  } else {
    extractor = offlineExtractor();
  }

  let dataset: LabelledEntry[];
  try {
    dataset = (await loadDataset(options.dataset)).slice(0, options.limit);
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    // Every bad line of the data set, one per line: the file's author needs them all.
    console.error(error.message);
    return 2;
  }
  const progress = createProgressBar(process.stderr, `eval ${options.extractor}`);
  const evaluation = await evaluate(dataset, extractor, {
    concurrency: options.concurrency,
    onProgress: (done, total) => progress.update(done, total),
  });
  progress.finish();
  // When every call failed no answer named the model; report (and price) the configured one.
  evaluation.model ??= configuredModel;

  const context = {
    extractor: options.extractor,
    dataset: options.dataset,
    promptVersion: options.extractor === 'openai' ? promptVersion : undefined,
    threshold: options.threshold,
    costUsd: estimateCostUsd(evaluation.model ?? '', evaluation.usage, process.env),
    concurrency: options.concurrency,
    conditions: `Node ${process.version}, ${os.platform()} ${os.arch()}, ${os.cpus().length} CPUs, ${new Date().toISOString()}`,
  };
  console.log(options.json ? JSON.stringify(reportJson(evaluation, context), null, 2) : formatReport(evaluation, context));
  return passes(evaluation, options.threshold) ? 0 : 1;
}

await runCommand({ name: 'npm run eval', usage: USAGE }, main);
