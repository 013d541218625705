import pLimit from 'p-limit';
import { postProcessTags, type DropReason } from '../lambdas/tag-extraction/domain/post-process.js';
import type { TagExtractor, TokenUsage } from '../lambdas/tag-extraction/domain/ports.js';
import type { LabelledEntry } from './dataset.js';
import { microScores, scoreEntry, type EntryScore, type MicroScores } from './metrics.js';

/** What happened to one entry: the kept tags, what post-processing dropped, and the score. */
export interface EntryResult {
  entry: LabelledEntry;
  /** Tags after postProcessTags: what the system would store. */
  tags: string[];
  /** What the extractor proposed that postProcessTags dropped, with why. */
  dropped: { candidate: string; reason: DropReason }[];
  score: EntryScore;
  usage: TokenUsage;
  /** Set when the extractor failed; the entry is then scored as if it had returned no tags. */
  error?: string;
}

/** The result of running one extractor over a data set. */
export interface Evaluation {
  results: EntryResult[];
  overall: MicroScores;
  byLanguage: Record<LabelledEntry['lang'], MicroScores>;
  /** Candidates dropped by postProcessTags, by reason ("ungrounded": not in the entry text). */
  droppedByReason: Partial<Record<DropReason, number>>;
  usage: TokenUsage;
  /** The model that answered (from the extractor), or undefined when every call failed. */
  model?: string;
  errors: number;
  elapsedMs: number;
}

/** Options of one evaluation run. */
export interface EvaluateOptions {
  /** Entries extracted at the same time (keep the OpenAI rate limit in mind). */
  concurrency?: number;
  /** Called after every entry, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
  now?: () => number;
}

/**
 * Runs the extractor over every entry exactly like the extraction Lambda does (extract, then
 * postProcessTags against the entry text) and scores the kept tags against the labels.
 */
export async function evaluate(
  dataset: readonly LabelledEntry[],
  extractor: TagExtractor,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const now = options.now ?? (() => performance.now());
  const limit = pLimit(options.concurrency ?? 1);
  const started = now();
  let done = 0;
  let model: string | undefined;
  const results = await Promise.all(
    dataset.map((entry) =>
      limit(async (): Promise<EntryResult> => {
        const result = await evaluateEntry(entry, extractor);
        model ??= result.model;
        options.onProgress?.(++done, dataset.length);
        return result.result;
      }),
    ),
  );
  const droppedByReason: Partial<Record<DropReason, number>> = {};
  for (const { dropped } of results) {
    for (const { reason } of dropped) droppedByReason[reason] = (droppedByReason[reason] ?? 0) + 1;
  }
  const scoresOf = (lang?: LabelledEntry['lang']) =>
    microScores(results.filter((result) => !lang || result.entry.lang === lang).map((result) => result.score));
  return {
    results,
    overall: scoresOf(),
    byLanguage: { de: scoresOf('de'), en: scoresOf('en') },
    droppedByReason,
    usage: {
      inputTokens: results.reduce((total, result) => total + result.usage.inputTokens, 0),
      outputTokens: results.reduce((total, result) => total + result.usage.outputTokens, 0),
    },
    model,
    errors: results.filter((result) => result.error !== undefined).length,
    elapsedMs: now() - started,
  };
}

async function evaluateEntry(entry: LabelledEntry, extractor: TagExtractor): Promise<{ result: EntryResult; model?: string }> {
  try {
    const raw = await extractor.extract(entry.entry);
    const { tags, dropped } = postProcessTags(raw.tags, entry.entry);
    const usage = raw.usage ?? { inputTokens: 0, outputTokens: 0 };
    return { result: { entry, tags, dropped, score: scoreEntry(entry.expected, tags), usage }, model: raw.model };
  } catch (error) {
    return {
      result: {
        entry,
        tags: [],
        dropped: [],
        score: scoreEntry(entry.expected, []),
        usage: { inputTokens: 0, outputTokens: 0 },
        error: (error as Error)?.message ?? String(error),
      },
    };
  }
}
