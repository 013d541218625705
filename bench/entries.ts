import path from 'node:path';
import { loadDataset } from '../eval/dataset.js';
import type { ModelServer } from '../tools/tag-extraction/model-server/index.js';

/** The repository root (bench/ lives directly under it). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** The dev logs the bench posts, and their size. */
export interface BenchEntries {
  texts: string[];
  /** Where they come from, for the conditions column. */
  source: string;
  meanBytes: number;
}

/**
 * Real-looking entries: the labelled German/English dev logs of the eval set, so token counts,
 * item sizes and the model's answers have the sizes real entries have. Posted in turn.
 */
export async function loadBenchEntries(): Promise<BenchEntries> {
  const file = path.join(REPO_ROOT, 'eval/devlogs.jsonl');
  const texts = (await loadDataset(file)).map((entry) => entry.entry);
  const meanBytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / texts.length;
  return { texts, source: `eval/devlogs.jsonl (${texts.length} entries, mean ${Math.round(meanBytes)} B)`, meanBytes };
}

/** The i-th entry to post, cycling through the set. */
export function entryAt(entries: BenchEntries, index: number): string {
  return entries.texts[index % entries.texts.length]!;
}

/** What the runner hands each measured section that runs a local stack. */
export interface StackSectionDeps {
  model: ModelServer;
  entries: BenchEntries;
  log: (line: string) => void;
  /** How long a stack process may live before it stops itself. */
  maxSeconds: number;
}
