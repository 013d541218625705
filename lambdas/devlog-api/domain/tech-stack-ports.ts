import type { TechStackPage, TotalChange } from './tech-stack.js';

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

/** What `GET /me/tech-stack` reads: the owner's totals by use, a page at a time. */
export interface TechStackReader {
  /** Up to `limit` of the owner's technologies, most used first (rankTechStack's order), after the position `after`. */
  techStackPage(ownerId: string, limit: number, after?: string): Promise<TechStackPage>;
}

/**
 * A change of an entry's tags that the aggregator began and has not finished: recorded before
 * any total moves, so a retry after a crash finishes it with the same token (and so never
 * counts it twice) instead of starting another.
 */
export interface PendingTagChange {
  token: string;
  /** The entry's tags by key once the change is done. */
  tags: Record<string, string>;
  /** The entry's creation time; absent when the entry is gone. */
  createdAt?: string;
}

/** What the aggregator last applied for one entry: its tags by tag key, a version token, and a change under way. */
export interface AppliedEntryTags {
  tags: Record<string, string>;
  version: string;
  pending?: PendingTagChange;
}

/**
 * What the aggregator derives from the entries' tags: per entry what it applied, per
 * (owner, tag) the entries carrying it (the tag index), per (owner, tag) the total. Every
 * method costs the same whatever the number of entries carrying a tag.
 */
export interface TagAggregates {
  /** What was last applied for the entry, with the change under way; undefined when nothing is. */
  applied(ownerId: string, entryId: string): Promise<AppliedEntryTags | undefined>;
  /** Records `change` as under way if the record is still at `expectedVersion` (undefined: absent); false when another writer got there first. */
  beginChange(ownerId: string, entryId: string, change: PendingTagChange, expectedVersion: string | undefined): Promise<boolean>;
  /** Lists the entry under the tag (idempotent). */
  indexEntry(ownerId: string, entryId: string, key: string, value: string, createdAt: string): Promise<void>;
  /** Removes the entry from the tag's list (idempotent). */
  unindexEntry(ownerId: string, entryId: string, key: string): Promise<void>;
  /** Applies one entry's change to the tag's total (nextTotal), at most once per token. */
  applyToTotal(ownerId: string, key: string, change: TotalChange): Promise<void>;
  /** Makes the change under way (if it is still `token`) the applied tags (none: forgets the entry); false when it was not. */
  finishChange(ownerId: string, entryId: string, token: string, tags: Record<string, string>): Promise<boolean>;
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
