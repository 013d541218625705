import type { EntryStatus, FailureCode } from '../../contract/index.js';

/** What the extraction needs to know about an entry. */
export interface EntrySnapshot {
  entry: string;
  status: EntryStatus;
  promptVersion?: number;
  /** The text's revision; absent on entries stored before edits existed, which are at 1. */
  revision?: number;
}

/** A job as received: the entry's key and the text revision it was sent for, if it names one (version 1 does not). */
export interface JobRef {
  ownerId: string;
  entryId: string;
  revision?: number;
}

/** The entry a job is for: its key and the text revision the job was sent for. */
export interface JobTarget {
  ownerId: string;
  entryId: string;
  revision: number;
}

/** The tags and provenance written when an extraction succeeds. */
export interface ExtractionResult {
  tags: string[];
  model: string;
  promptVersion: number;
  /** The extraction service's version that wrote the tags. */
  extractorVersion: string;
}

/**
 * The tag state a backfill request was built from: the entry was `done`, tagged by this prompt
 * version (undefined: by none recorded). Its write lands only while the entry is still so.
 */
export interface TaggedState {
  promptVersion?: number;
}

/** Reads entries and writes extraction results; the only table access the extraction has. */
export interface EntryTagStore {
  /** The entry, or undefined when it no longer exists. */
  get(ownerId: string, entryId: string): Promise<EntrySnapshot | undefined>;
  /**
   * Writes tags and `done` if the entry still exists at the job's revision and is pending (or
   * done by an older prompt version). Returns false when the condition failed: another delivery
   * got there first, the text was edited, or the entry was deleted. With `builtFrom` (a
   * backfill's answer) it also needs the entry still `done` in that tag state, so an entry
   * re-tagged meanwhile keeps its tags.
   */
  saveTags(target: JobTarget, result: ExtractionResult, at: Date, builtFrom?: TaggedState): Promise<boolean>;
  /**
   * Marks the entry `failed` with a stable reason code if it is still pending at the job's
   * revision. Returns false when it was not: finished by another delivery, edited, or deleted.
   */
  markFailed(target: JobTarget, reason: FailureCode, at: Date): Promise<boolean>;
  /**
   * The entry's job next runs at `dueAt`, later than the reconciler's grace allows for: the
   * reconciler leaves the pending entry alone until then (plus its grace). A no-op once the
   * entry is no longer pending at the job's revision.
   */
  postponeReconcile(target: JobTarget, dueAt: Date): Promise<void>;
}

/** Token counts of one model call, for cost figures. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** What a model proposed for one entry, before post-processing. */
export interface RawExtraction {
  tags: string[];
  model: string;
  usage?: TokenUsage;
  /** How long the model call that answered took, in milliseconds. */
  latencyMs?: number;
}

/** Per-call options of an extraction. */
export interface ExtractOptions {
  /** Aborts the whole model call, answer body included, when the record's deadline passes. */
  signal?: AbortSignal;
}

/** Asks a model for the tech stack of an entry. Throws RetryableError or PermanentError. */
export interface TagExtractor {
  extract(entryText: string, options?: ExtractOptions): Promise<RawExtraction>;
}
