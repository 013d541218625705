/** One technology of a user's tech stack: how many of their entries carry it, and since when. */
export interface TechStackItem {
  /** Spelled as the newest entry carrying it spells it. */
  value: string;
  /** The user's entries that carry the tag now. */
  count: number;
  /** `createdAt` of the oldest entry that carries it now. */
  firstSeen: string;
  /** `createdAt` of the newest entry that carries it now. */
  lastSeen: string;
}

/** A page of the caller's tech stack as `GET /me/tech-stack` answers it. */
export interface TechStackPage {
  items: TechStackItem[];
  /** Where the next page starts (opaque to the domain); absent on the last page. */
  after?: string;
}

/**
 * The identity of a tag value: the same as the extraction's case-insensitive dedupe
 * (whitespace runs as one space, locale-independent lower case), so "django" and "Django"
 * count as one technology and `?tag=` matches either.
 */
export function tagKey(value: string): string {
  return value.replace(/\s+/gu, ' ').trim().toLocaleLowerCase('und');
}

/** The entry's tags by tag key, first spelling kept (entries already hold each key once). */
export function tagsByKey(values: readonly string[]): Map<string, string> {
  const byKey = new Map<string, string>();
  for (const value of values) {
    const key = tagKey(value);
    if (key.length > 0 && !byKey.has(key)) byKey.set(key, value);
  }
  return byKey;
}

/**
 * Most used first; ties by the most recently seen, then by tag key (code-unit order), so the
 * order is stable and the same as the tags table's index by count (adapters/tags-table.ts).
 */
export function rankTechStack(items: readonly TechStackItem[]): TechStackItem[] {
  return items
    .filter((item) => item.count > 0)
    .sort((a, b) => b.count - a.count || b.lastSeen.localeCompare(a.lastSeen) || compareKeys(tagKey(a.value), tagKey(b.value)));
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An end of a tag's entries: the oldest or the newest entry carrying it (by id: ULIDs sort by creation). */
export interface TotalEdge {
  entryId: string;
  createdAt: string;
}

/** What the aggregator keeps per (owner, tag): the count and the two ends that `firstSeen`, `lastSeen` and the spelling come from. */
export interface TagTotal {
  count: number;
  /** Absent while the count is 0. */
  first?: TotalEdge;
  last?: TotalEdge;
  /** The spelling of the newest entry carrying the tag. */
  value?: string;
}

/** One entry's change to one tag's total. */
export interface TotalChange {
  entryId: string;
  /** The change's token: a total records it with the delta, so a retry never applies it twice. */
  token: string;
  /** +1: the entry now carries the tag; -1: no longer; 0: it carries it spelled differently. */
  delta: -1 | 0 | 1;
  /** How the entry spells the tag now; undefined when it no longer carries it. */
  value?: string;
  createdAt?: string;
}

/** The oldest or the newest entry the tag index lists under the tag now, with its spelling. */
export type EdgeReader = (end: 'first' | 'last') => Promise<(TotalEdge & { value: string }) | undefined>;

/**
 * The total after one entry's change, from the total before it. An added entry moves an end
 * only if it lies beyond it; a removed entry that was an end is replaced by the tag index's
 * new end (`readEdge`: one row of a sorted partition), so no change reads more than two rows
 * whatever the number of entries carrying the tag.
 */
export async function nextTotal(total: TagTotal | undefined, change: TotalChange, readEdge: EdgeReader): Promise<TagTotal> {
  const before = total && countedTotal(total);
  const count = (before?.count ?? 0) + change.delta;
  if (count <= 0) return { count: 0 };
  if (change.value !== undefined && change.createdAt !== undefined) {
    const edge = { entryId: change.entryId, createdAt: change.createdAt };
    if (!before) return { count, first: edge, last: edge, value: change.value };
    const newest = change.entryId >= before.last.entryId;
    return {
      count,
      first: change.entryId < before.first.entryId ? edge : before.first,
      last: newest ? edge : before.last,
      value: newest ? change.value : before.value,
    };
  }
  if (!before) return { count };
  let { first, last, value } = before;
  // No row left at an end while the count still has entries: their rows are gone and their
  // removals trail (a crash between a row and its total). The end keeps its date for now but
  // no entry, so the next entry added takes its place, and those removals bring the count down.
  if (first.entryId === change.entryId) {
    const edge = await readEdge('first');
    first = edge ? { entryId: edge.entryId, createdAt: edge.createdAt } : { entryId: UNKNOWN_FIRST_ENTRY, createdAt: first.createdAt };
  }
  if (last.entryId === change.entryId) {
    const edge = await readEdge('last');
    last = edge ? { entryId: edge.entryId, createdAt: edge.createdAt } : { entryId: UNKNOWN_LAST_ENTRY, createdAt: last.createdAt };
    if (edge) value = edge.value;
  }
  return { count, first, last, value };
}

/**
 * The entry id of an end no entry holds: sorting after every ULID (first) or before every one
 * (last), any entry added is beyond it.
 */
const UNKNOWN_FIRST_ENTRY = '~';
const UNKNOWN_LAST_ENTRY = '0';

/** A total that counts entries, with both ends and a spelling; undefined while it counts none. */
export function countedTotal(total: TagTotal): Required<TagTotal> | undefined {
  const { count, first, last, value } = total;
  return count > 0 && first && last && value !== undefined ? { count, first, last, value } : undefined;
}

/** The profile's view of a total; undefined while the tag counts no entry. */
export function techStackItemOf(total: TagTotal): TechStackItem | undefined {
  const counted = countedTotal(total);
  return counted && { value: counted.value, count: counted.count, firstSeen: counted.first.createdAt, lastSeen: counted.last.createdAt };
}

/** Highest count and epoch millisecond the rank encodes (zero-padded, so string order is numeric order). */
const RANK_COUNT_DIGITS = 10;
const RANK_TIME_DIGITS = 13;

/**
 * A total's position in the owner's tech stack (the sort key of the tags table's index by
 * count): ascending order is rankTechStack's order (more entries first, then the most recently
 * seen, then the tag key), by storing the complements of the count and of `lastSeen`'s epoch
 * milliseconds. Pages of `GET /me/tech-stack` start after one.
 */
export function techStackRank(count: number, lastSeen: string, key: string): string {
  const countPart = String(10 ** RANK_COUNT_DIGITS - 1 - count).padStart(RANK_COUNT_DIGITS, '0');
  const timePart = String(10 ** RANK_TIME_DIGITS - 1 - Date.parse(lastSeen)).padStart(RANK_TIME_DIGITS, '0');
  return `${countPart}#${timePart}#${key}`;
}

/** The tag key a rank ends with; undefined when `rank` is not one techStackRank makes. */
export function keyOfRank(rank: string): string | undefined {
  const match = new RegExp(`^\\d{${RANK_COUNT_DIGITS}}#\\d{${RANK_TIME_DIGITS}}#(.+)$`, 's').exec(rank);
  return match?.[1];
}
