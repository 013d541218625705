/**
 * The layout of the tags table: what the tech-stack aggregator derives from the entries' tags
 * (web team only; the extraction never sees it). Three kinds of items:
 *
 * - the tag index, one item per (owner, tag, entry): partition `tagIndexPartition(owner, key)`,
 *   sort key `ENTRY#<entryId>` (ULIDs, so newest first is a descending query and an entry id is
 *   a cursor), attributes `entryId`, `value`, `createdAt`. `GET /logs?tag=` reads it.
 * - the totals, one item per (owner, tag) in the owner's partition (`TECH#<key>`): `value`,
 *   `count`, `firstSeen`/`firstEntryId`, `lastSeen`/`lastEntryId`, `version`, and `tokens`
 *   (the changes whose delta it holds, until their entries' applied records retire them).
 *   While the count is above 0 it also carries the keys of TECH_STACK_INDEX, which
 *   `GET /me/tech-stack` pages through (sparse: a tag counting no entry drops out).
 * - per entry what the aggregator applied last (`APPLIED#<entryId>`): `tags` by key, `version`,
 *   and `pending`, a change under way.
 */

/**
 * The owner's totals by use: partition `countOwner` (the owner), sort key `countRank` (the
 * domain's techStackRank), so one query with a limit reads a page, most used first. Deployed
 * and local tables both project exactly `nonKeyAttributes` (a read of anything else would pass
 * locally and fail in AWS).
 */
export const TECH_STACK_INDEX = {
  name: 'tech-stack-by-count',
  partitionKey: 'countOwner',
  sortKey: 'countRank',
  nonKeyAttributes: ['value', 'count', 'firstSeen', 'lastSeen'],
} as const;

/** The keys and indexes of the tags table, as the API stack deploys it and the local stack creates it. */
export const TAGS_TABLE = { partitionKey: 'pk', sortKey: 'sk', indexes: [TECH_STACK_INDEX] } as const;

/** The attributes of the tags table the API reads (its IAM policy allows no others): totals, their index keys, tag-index entry ids. */
export const API_TAGS_TABLE_ATTRIBUTES = [
  ...TECH_STACK_INDEX.nonKeyAttributes,
  TECH_STACK_INDEX.partitionKey,
  TECH_STACK_INDEX.sortKey,
  'entryId',
] as const;

/** Sort-key prefix of an owner's totals. */
export const TOTAL_SORT_PREFIX = 'TECH#';
/** Sort-key prefix of the tag index's entries. */
export const INDEXED_ENTRY_SORT_PREFIX = 'ENTRY#';

/** The partition of one owner's entries that carry the tag with this key (see `tagKey`). */
export function tagIndexPartition(ownerId: string, key: string): string {
  // Both parts encoded: owner ids and tags ("C#", "F#") may contain the separator.
  return `TAG#${encodeURIComponent(ownerId)}#${encodeURIComponent(key)}`;
}

/** The tag-index item of one entry under one tag. */
export function tagIndexKey(ownerId: string, key: string, entryId: string): { pk: string; sk: string } {
  return { pk: tagIndexPartition(ownerId, key), sk: `${INDEXED_ENTRY_SORT_PREFIX}${entryId}` };
}

/** The tag-index item of one entry under one tag, as the aggregator writes it. */
export function tagIndexItem(ownerId: string, key: string, entryId: string, value: string, createdAt: string) {
  return { ...tagIndexKey(ownerId, key, entryId), entryId, value, createdAt };
}

/** The partition of an owner's totals and applied records. */
export function ownerAggregatePartition(ownerId: string): string {
  return `OWNER#${ownerId}`;
}

/** The item of an owner's total for one tag. */
export function totalKey(ownerId: string, key: string): { pk: string; sk: string } {
  return { pk: ownerAggregatePartition(ownerId), sk: `${TOTAL_SORT_PREFIX}${key}` };
}

/** The item recording what the aggregator applied for one entry. */
export function appliedKey(ownerId: string, entryId: string): { pk: string; sk: string } {
  return { pk: ownerAggregatePartition(ownerId), sk: `APPLIED#${entryId}` };
}
