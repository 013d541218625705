import type { Evaluation } from './evaluate.js';
import type { MicroScores } from './metrics.js';

/** What the report says besides the evaluation itself. */
export interface ReportContext {
  extractor: 'offline' | 'openai';
  dataset: string;
  promptVersion?: number;
  threshold?: number;
  /** Estimated USD cost of the tokens, or undefined when the model's price is unknown. */
  costUsd?: number;
  concurrency: number;
  /** Node version, platform, date: the conditions the figures were measured under. */
  conditions: string;
}

/** Whether the run passes its threshold (always true without one). */
export function passes(evaluation: Evaluation, threshold: number | undefined): boolean {
  return threshold === undefined || evaluation.overall.f1 >= threshold;
}

/** The human-readable report: per-entry differences first, the figures last (where a CI log ends). */
export function formatReport(evaluation: Evaluation, context: ReportContext): string {
  const { results, overall } = evaluation;
  const lines: string[] = [];
  const languages = results.reduce<Record<string, number>>((counts, { entry }) => {
    counts[entry.lang] = (counts[entry.lang] ?? 0) + 1;
    return counts;
  }, {});
  lines.push('devlog-tags extraction eval');
  lines.push(
    `extractor ${context.extractor} (model ${evaluation.model ?? 'unknown'}${
      context.extractor === 'openai' ? `, prompt v${context.promptVersion}` : ''
    }), data set ${context.dataset}: ${results.length} entries (${Object.entries(languages)
      .map(([lang, count]) => `${lang} ${count}`)
      .join(', ')})`,
  );
  lines.push(`conditions: ${context.conditions}, concurrency ${context.concurrency}`);
  lines.push('');

  const differing = results.filter((result) => result.score.misses.length + result.score.extras.length > 0 || result.error);
  lines.push(`Entries with differences: ${differing.length} of ${results.length}`);
  const width = Math.max(0, ...differing.map((result) => result.entry.id.length));
  for (const result of differing) {
    const parts: string[] = [];
    if (result.error) parts.push(`ERROR ${result.error}`);
    if (result.score.misses.length > 0) parts.push(`missed: ${result.score.misses.join(', ')}`);
    if (result.score.extras.length > 0) parts.push(`extra: ${result.score.extras.join(', ')}`);
    lines.push(`  ${result.entry.id.padEnd(width)}  ${parts.join('; ')}`);
  }
  lines.push('');

  lines.push(`Micro ${scores(overall)}`);
  for (const [lang, byLanguage] of Object.entries(evaluation.byLanguage)) {
    if (languages[lang]) lines.push(`  ${lang}  ${scores(byLanguage)}`);
  }
  const dropped = evaluation.droppedByReason;
  const otherDrops = Object.entries(dropped).filter(([reason]) => reason !== 'ungrounded');
  lines.push(
    `Dropped by postProcessTags: ${dropped.ungrounded ?? 0} ungrounded (not in the entry text)${
      otherDrops.length > 0 ? `, ${otherDrops.map(([reason, count]) => `${count} ${reason}`).join(', ')}` : ''
    }`,
  );
  if (evaluation.errors > 0) lines.push(`Extractor errors: ${evaluation.errors} (scored as empty answers)`);
  const cost =
    context.costUsd === undefined
      ? 'unknown (no price for this model; set EVAL_INPUT_USD_PER_MTOK and EVAL_OUTPUT_USD_PER_MTOK)'
      : `$${context.costUsd.toFixed(4)}`;
  lines.push(`Tokens: ${evaluation.usage.inputTokens} input, ${evaluation.usage.outputTokens} output; estimated cost ${cost}`);
  const perEntry = results.length === 0 ? 0 : evaluation.elapsedMs / results.length;
  lines.push(`Time: ${(evaluation.elapsedMs / 1000).toFixed(2)} s (${perEntry.toFixed(1)} ms per entry)`);
  if (context.threshold !== undefined) {
    const verdict = passes(evaluation, context.threshold) ? 'PASS' : 'FAIL';
    lines.push(`Threshold: F1 ${overall.f1.toFixed(3)} ${verdict === 'PASS' ? '>=' : '<'} ${context.threshold} ${verdict}`);
  }
  return lines.join('\n');
}

/** The report as plain data, for `--json` (dashboards, comparing two prompt versions). */
export function reportJson(evaluation: Evaluation, context: ReportContext) {
  return {
    ...context,
    model: evaluation.model,
    entries: evaluation.results.length,
    overall: evaluation.overall,
    byLanguage: evaluation.byLanguage,
    droppedByReason: evaluation.droppedByReason,
    usage: evaluation.usage,
    errors: evaluation.errors,
    elapsedMs: evaluation.elapsedMs,
    passed: passes(evaluation, context.threshold),
    differences: evaluation.results
      .filter((result) => result.score.misses.length + result.score.extras.length > 0 || result.error)
      .map((result) => ({
        id: result.entry.id,
        misses: result.score.misses,
        extras: result.score.extras,
        dropped: result.dropped,
        error: result.error,
      })),
  };
}

function scores(micro: MicroScores): string {
  return `precision ${micro.precision.toFixed(3)}  recall ${micro.recall.toFixed(3)}  F1 ${micro.f1.toFixed(3)}  (TP ${
    micro.truePositives
  }, FP ${micro.falsePositives}, FN ${micro.falseNegatives})`;
}
