import { EntryAlreadyFailedError } from './errors.js';
import type { EntryTagStore, ExtractOptions, JobRef, JobTarget, TagExtractor, TokenUsage } from './ports.js';
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

/** What happened to a job that did not throw. */
export type ExtractionOutcome =
  | ({ kind: 'tagged'; model: string; usage?: TokenUsage; latencyMs?: number } & PostProcessed)
  | { kind: 'already-done' }
  /** Deleted (before the read, or while the model was answering). */
  | { kind: 'entry-missing' }
  /** The text was edited since the job was sent: the job of the new revision tags it. */
  | { kind: 'superseded'; currentRevision: number }
  | { kind: 'lost-race' };

/** Why a write conditional on the job's revision did not land: the entry is gone, was edited, or neither. */
export type UnwrittenReason = Extract<ExtractionOutcome, { kind: 'entry-missing' | 'superseded' }> | { kind: 'other' };

/**
 * Extracts and stores the tags of one entry, idempotently: an entry already tagged by this
 * prompt version is skipped before the model is called, and the write only lands while the
 * entry is still pending (or tagged by an older prompt), so a duplicate delivery is harmless.
 * The job is for one revision of the text: an entry edited or deleted since, before the model
 * is called or while it answers, is left alone (the write is conditional on the revision).
 * Throws RetryableError or PermanentError; the caller decides about retries. `options.signal`
 * bounds the model call.
 */
export async function extractEntryTags(
  deps: ExtractEntryTagsDeps,
  target: JobTarget,
  options: ExtractOptions = {},
): Promise<ExtractionOutcome> {
  const entry = await deps.store.get(target.ownerId, target.entryId);
  if (!entry) return { kind: 'entry-missing' };
  const currentRevision = entry.revision ?? 1;
  if (currentRevision !== target.revision) return { kind: 'superseded', currentRevision };
  if (entry.status === 'done' && (entry.promptVersion ?? 0) >= deps.promptVersion) {
    return { kind: 'already-done' };
  }
  if (entry.status === 'failed') {
    throw new EntryAlreadyFailedError();
  }

  const raw = await deps.extractor.extract(entry.entry, options);
  const processed = postProcessTags(raw.tags, entry.entry);
  const saved = await deps.store.saveTags(
    target,
    { tags: processed.tags, model: raw.model, promptVersion: deps.promptVersion, extractorVersion: deps.extractorVersion },
    deps.now(),
  );
  if (!saved) {
    const reason = await whyUnwritten(deps.store, target);
    return reason.kind === 'other' ? { kind: 'lost-race' } : reason;
  }
  return { kind: 'tagged', model: raw.model, usage: raw.usage, latencyMs: raw.latencyMs, ...processed };
}

/**
 * The revision a job is for. A job that names none (version 1, which predates edits) is for the
 * entry's current text: it is pinned to the revision read now, and from then on is conditional
 * on it like any other job, so an edit after this read is left to the edit's own job. Costs one
 * strongly consistent read, only for such jobs. Undefined when the entry is gone.
 */
export async function pinJobTarget(store: EntryTagStore, job: JobRef): Promise<JobTarget | undefined> {
  if (job.revision !== undefined) return { ...job, revision: job.revision };
  const entry = await store.get(job.ownerId, job.entryId);
  return entry && { ...job, revision: entry.revision ?? 1 };
}

/**
 * Tells why a write conditional on the job's revision failed, by reading the entry again (only
 * on that rare path): deleted, edited since the job was sent, or neither (another delivery).
 */
export async function whyUnwritten(store: EntryTagStore, target: JobTarget): Promise<UnwrittenReason> {
  const entry = await store.get(target.ownerId, target.entryId);
  if (!entry) return { kind: 'entry-missing' };
  const currentRevision = entry.revision ?? 1;
  return currentRevision === target.revision ? { kind: 'other' } : { kind: 'superseded', currentRevision };
}
