import { EntryAlreadyFailedError } from './errors.js';
import type { EntryTagStore, ExtractOptions, TagExtractor, TokenUsage } from './ports.js';
import { postProcessTags, type PostProcessed } from './post-process.js';

/** Ports and settings of the extraction use case. */
export interface ExtractEntryTagsDeps {
  store: EntryTagStore;
  extractor: TagExtractor;
  now: () => Date;
  /** Version of the prompt the extractor uses; recorded with the tags. */
  promptVersion: number;
  /** The extraction service's version (SERVICE_VERSION); recorded with the tags. */
  extractorVersion: string;
}

/** The job: which entry to tag. */
export interface EntryRef {
  ownerId: string;
  entryId: string;
}

/** What happened to a job that did not throw. */
export type ExtractionOutcome =
  | ({ kind: 'tagged'; model: string; usage?: TokenUsage } & PostProcessed)
  | { kind: 'already-done' }
  | { kind: 'entry-missing' }
  | { kind: 'lost-race' };

/**
 * Extracts and stores the tags of one entry, idempotently: an entry already tagged by this
 * prompt version is skipped before the model is called, and the write only lands while the
 * entry is still pending (or tagged by an older prompt), so a duplicate delivery is harmless.
 * Throws RetryableError or PermanentError; the caller decides about retries. `options.signal`
 * bounds the model call.
 */
export async function extractEntryTags(
  deps: ExtractEntryTagsDeps,
  { ownerId, entryId }: EntryRef,
  options: ExtractOptions = {},
): Promise<ExtractionOutcome> {
  const entry = await deps.store.get(ownerId, entryId);
  if (!entry) return { kind: 'entry-missing' };
  if (entry.status === 'done' && (entry.promptVersion ?? 0) >= deps.promptVersion) {
    return { kind: 'already-done' };
  }
  if (entry.status === 'failed') {
    throw new EntryAlreadyFailedError();
  }

  const raw = await deps.extractor.extract(entry.entry, options);
  const processed = postProcessTags(raw.tags, entry.entry);
  const saved = await deps.store.saveTags(
    ownerId,
    entryId,
    { tags: processed.tags, model: raw.model, promptVersion: deps.promptVersion, extractorVersion: deps.extractorVersion },
    deps.now(),
  );
  if (!saved) return { kind: 'lost-race' };
  return { kind: 'tagged', model: raw.model, usage: raw.usage, ...processed };
}
