import type { TechStackItem } from './tech-stack.js';

/** The tags an entry carries now. */
export interface CurrentEntryTags {
  createdAt: string;
  /** Tag values as the entry spells them. */
  tags: string[];
}

/** Reads entries as they are now (the aggregator's only view of the entries table). */
export interface EntryTagSource {
  /** The entry's current tags, strongly consistent; undefined when it is gone. */
  read(ownerId: string, entryId: string): Promise<CurrentEntryTags | undefined>;
}

/** What `GET /me/tech-stack` reads. */
export type TechStackReader = Pick<TagAggregates, 'totals'>;

/** What the aggregator last applied for one entry: its tags by tag key, and a version token. */
export interface AppliedEntryTags {
  tags: Record<string, string>;
  version: string;
}

/**
 * What the aggregator derives from the entries' tags: per entry what it applied, per
 * (owner, tag) the entries carrying it (the tag index), per (owner, tag) the total.
 */
export interface TagAggregates {
  /** What was last applied for the entry; undefined when nothing (no tags) is. */
  applied(ownerId: string, entryId: string): Promise<AppliedEntryTags | undefined>;
  /** Lists the entry under the tag (idempotent). */
  indexEntry(ownerId: string, entryId: string, key: string, value: string, createdAt: string): Promise<void>;
  /** Removes the entry from the tag's list (idempotent). */
  unindexEntry(ownerId: string, entryId: string, key: string): Promise<void>;
  /** Recomputes the tag's total from the tag index, so it is exact however often it runs. */
  refreshTotal(ownerId: string, key: string): Promise<void>;
  /**
   * Records what was applied for the entry (nothing: forgets it) if the record is still at
   * `expectedVersion` (undefined: absent); false when another writer got there first.
   */
  saveApplied(ownerId: string, entryId: string, tags: Record<string, string>, expectedVersion: string | undefined): Promise<boolean>;
  /** The owner's totals, in no particular order. */
  totals(ownerId: string): Promise<TechStackItem[]>;
}

/** A page of the entry ids the tag index lists under one of an owner's tags, newest first. */
export interface TaggedEntryIds {
  ids: string[];
  /** The last id of this page when more may follow. */
  lastId?: string;
}

/** What `GET /logs?tag=` reads: the tag index, one partition per (owner, tag). */
export interface TaggedEntries {
  /** Ids of the owner's entries listed under the tag key, newest first, after `afterId`. */
  entriesTagged(ownerId: string, key: string, limit: number, afterId?: string): Promise<TaggedEntryIds>;
}

