import type { EntryTagStore, RawExtraction } from '../domain/ports.js';
import { postProcessTags, type PostProcessed } from '../domain/post-process.js';
import type { BackfillTarget } from './requests.js';

/** What applying one backfill answer did. */
export type BackfillApplyOutcome =
  | ({ kind: 'tagged' } & PostProcessed)
  /** Deleted, edited, or re-tagged since the request was built: its current tags stay. */
  | { kind: 'left-alone'; reason: 'entry-missing' | 'superseded' | 'changed-since' };

/** Ports and settings of applying backfill answers. */
export interface ApplyBackfillDeps {
  store: EntryTagStore;
  now: () => Date;
  /** The prompt version the batch was built with; recorded with the tags. */
  promptVersion: number;
  /** The extraction service's version applying it; recorded with the tags. */
  extractorVersion: string;
}

/**
 * Applies one entry's answer from a batch exactly as the live path applies a model's answer:
 * the same post-processing (normalise, dedupe, ground in the text of the request's revision)
 * and the same conditional write, which here also needs the entry still in the tag state the
 * request was built from. Applying the same answer twice is harmless: the second write finds
 * the entry re-tagged and leaves it alone.
 */
export async function applyBackfillAnswer(
  deps: ApplyBackfillDeps,
  target: BackfillTarget,
  answer: Pick<RawExtraction, 'tags' | 'model'>,
): Promise<BackfillApplyOutcome> {
  const entry = await deps.store.get(target.ownerId, target.entryId);
  if (!entry) return { kind: 'left-alone', reason: 'entry-missing' };
  if ((entry.revision ?? 1) !== target.revision) return { kind: 'left-alone', reason: 'superseded' };
  const processed = postProcessTags(answer.tags, entry.entry);
  const saved = await deps.store.saveTags(
    target,
    { tags: processed.tags, model: answer.model, promptVersion: deps.promptVersion, extractorVersion: deps.extractorVersion },
    deps.now(),
    { promptVersion: target.builtFromPromptVersion },
  );
  return saved ? { kind: 'tagged', ...processed } : { kind: 'left-alone', reason: 'changed-since' };
}
