import type { Entry } from './entry.js';

/** One page of an owner's entries, newest first. */
export interface EntryPage {
  items: Entry[];
  /** Id of the last entry of this page when more may follow. */
  lastId?: string;
}

/**
 * The store knows a write did not take effect (it was rejected before it was applied), so the
 * entry does not exist. Any other failure of a write is ambiguous: it may have committed.
 */
export class EntryNotStoredError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EntryNotStoredError';
  }
}

/** Where entries live. */
export interface EntryStore {
  /**
   * Stores a new entry. `exists` when an entry with its id is already stored: an earlier
   * attempt of the same write committed. Throws EntryNotStoredError when the write surely did
   * not happen, and anything else when it may have. `idempotencyKey`, the POST's key, is kept
   * with the entry so its deletion can forget the key's stored answer too.
   */
  create(entry: Entry, idempotencyKey?: string): Promise<'created' | 'exists'>;
  /** The owner's entry, or undefined when it does not exist or belongs to someone else. */
  get(ownerId: string, id: string): Promise<Entry | undefined>;
  /** The owner's entries, newest first, starting after `afterId`. */
  list(ownerId: string, limit: number, afterId?: string): Promise<EntryPage>;
  /**
   * Replaces the text of the owner's entry if it is still at `expectedRevision`: the next
   * revision, `pending` again, without the old text's tags, error and provenance. A conditional
   * write, so of two edits based on the same revision only one lands.
   */
  replaceText(edit: TextEdit): Promise<TextEditOutcome>;
  /**
   * Deletes the owner's entry (only while it is at `expectedRevision`, when given); what it held
   * that others derive from, or undefined when there was none (or it is at another revision).
   */
  delete(ownerId: string, id: string, expectedRevision?: number): Promise<DeletedEntry | undefined>;
}

/** What a deleted entry leaves to clean up besides what the stream derives. */
export interface DeletedEntry {
  /** The Idempotency-Key of the POST that created it. */
  idempotencyKey?: string;
}

/** A new text for an entry, based on the revision the editor read. */
export interface TextEdit {
  ownerId: string;
  id: string;
  entry: string;
  expectedRevision: number;
  at: Date;
}

/** What a text replacement did. */
export type TextEditOutcome =
  | { kind: 'replaced'; entry: Entry }
  /** The entry does not exist (any more), or is someone else's. */
  | { kind: 'missing' }
  /** Another edit landed since `expectedRevision` was read. */
  | { kind: 'revision-changed' };

/** Identifies an entry across owners. */
export interface EntryRef {
  ownerId: string;
  id: string;
  /** The entry's text revision, which its job carries; absent means 1 (never edited). */
  revision?: number;
}

/** Where extraction jobs go. */
export interface JobQueue {
  /** Enqueues the extraction of an entry. */
  enqueue(entry: EntryRef): Promise<void>;
}

/** A page of entries found by an index query, with where to continue. */
export interface EntryRefPage<TCursor = unknown> {
  items: EntryRef[];
  next?: TCursor;
}

/** A pending entry the reconciler is re-sending, with how long and how often. */
export interface ResentEntry extends EntryRef {
  /** When the entry last became pending (created, edited or reset). */
  pendingSince: Date;
  /** Re-sends of its job since then, this one included. */
  resends: number;
}

/** Pending entries whose job may have been lost, for the reconciler. */
export interface StalePendingEntries {
  /** Pending entries whose job was last sent before `cutoff`, least recently sent first. */
  findSentBefore(cutoff: Date, limit: number, after?: unknown): Promise<EntryRefPage>;
  /** When the job of the least recently sent pending entry was sent; undefined when none is pending. */
  oldestSentAt(): Promise<Date | undefined>;
  /**
   * Records a new send of a still-pending entry's job (and counts it) and returns the entry with
   * the revision the job must carry; undefined if it is no longer pending (or gone).
   */
  markResent(entry: EntryRef, at: Date): Promise<ResentEntry | undefined>;
}

/** The answer a POST gave, kept so a retry with the same Idempotency-Key gets it again. */
export interface StoredResponse {
  statusCode: number;
  body: unknown;
  location?: string;
}

/** What an attempt to claim an Idempotency-Key found. */
export type IdempotencyClaim =
  | { outcome: 'claimed' }
  | { outcome: 'in-progress'; requestHash: string }
  /**
   * An earlier request claimed the key for `entryId` and never finished (it crashed or failed);
   * `quotaCounted` when it recorded that it had counted its entry against the daily quota.
   */
  | { outcome: 'abandoned'; requestHash: string; entryId: string; quotaCounted: boolean }
  | { outcome: 'completed'; requestHash: string; response: StoredResponse };

/** Remembers POST answers per owner and Idempotency-Key. */
export interface IdempotencyStore {
  /**
   * Claims the key for this request and the entry id it will create, unless the key is already
   * claimed; returns the existing claim instead.
   */
  claim(ownerId: string, key: string, requestHash: string, entryId: string): Promise<IdempotencyClaim>;
  /**
   * Records the answer for the key while it is still claimed for `entryId`; a key that is gone
   * (its entry deleted meanwhile) or claimed by another request since is left as it is.
   */
  complete(ownerId: string, key: string, entryId: string, response: StoredResponse): Promise<void>;
  /** Gives a claim up after a failure whose entry surely does not exist, so the client's retry starts afresh. */
  release(ownerId: string, key: string): Promise<void>;
  /**
   * Ends the in-flight window of a claim whose entry may or may not have been stored, so the
   * client's retry resumes at once with the claimed entry id instead of creating another entry;
   * records that the entry was counted against the daily quota.
   */
  suspend(ownerId: string, key: string): Promise<void>;
  /** Forgets the key if it still points at `entryId` (deleted), so a replay cannot answer with a deleted entry. */
  forget(ownerId: string, key: string, entryId: string): Promise<void>;
}

/** Time and identity, injected so tests are deterministic. */
export interface Clock {
  now(): Date;
}

/** Generates time-sortable entry ids. */
export type IdGenerator = () => string;

/** What the API's use cases log; a subset of the Powertools logger. */
export interface UseCaseLogger {
  error(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
}
