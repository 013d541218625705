import { randomUUID } from 'node:crypto';
import { tagsByKey, type TechStackPage } from './tech-stack.js';
import type { EntryTagSource, PendingTagChange, TagAggregates, TechStackReader } from './tech-stack-ports.js';

/** What the tech-stack aggregator needs. */
export interface SyncEntryTagsDeps {
  entries: EntryTagSource;
  aggregates: TagAggregates;
}

/** What a sync did. */
export type SyncOutcome = { kind: 'unchanged' } | { kind: 'applied'; changedTags: string[] };

/** How often a sync starts over after losing a race for the entry's applied record. */
const MAX_SYNC_ATTEMPTS = 5;

/**
 * Brings the aggregates of one entry in line with the entry as it is now. A stream record only
 * says which entry changed: its images are not trusted for the state, so a replayed, duplicated
 * or reordered record converges to the same result.
 *
 * Totals move by deltas, not recounts, so the work per change does not grow with the entries
 * carrying a tag. Without transactions (dynalite has none), a delta is applied exactly once
 * like this: the change is first recorded on the entry's applied record with a fresh token
 * (beginChange); then each changed tag's index row is written (idempotent) and its total is
 * updated conditionally, recording the token with the delta (applyToTotal skips a token it
 * holds); last the applied record takes the new tags (finishChange). A crash anywhere leaves
 * the change recorded, and the retry finishes it with the same token.
 *
 * Cost per change of k tags (DynamoDB units, items under 1 KB, measured by the bench section
 * `aggregator-scale`): reads 2 (the entry, its applied record) + per tag about 2 (the total,
 * and the applied record of the total's previous token, to retire it), + 1 per end (oldest or
 * newest entry) removed; writes 2 (begin, finish) + per tag 2 (index row, total) + the index
 * by count (2 when the rank moves). None of it depends on the entries carrying the tag.
 */
export async function syncEntryTags(deps: SyncEntryTagsDeps, ownerId: string, entryId: string): Promise<SyncOutcome> {
  const changedTags = new Set<string>();
  // Tags whose index rows an attempt wrote before it lost a race: a rival may have rewritten them since.
  const touched = new Set<string>();
  for (let attempt = 1; attempt <= MAX_SYNC_ATTEMPTS; attempt++) {
    const [current, applied] = await Promise.all([deps.entries.read(ownerId, entryId), deps.aggregates.applied(ownerId, entryId)]);
    const appliedTags = applied?.tags ?? {};
    let change = applied?.pending;
    const resumed = change !== undefined;
    if (!change) {
      const desired = Object.fromEntries(tagsByKey(current?.tags ?? []));
      if (changedKeys(appliedTags, desired).length === 0) {
        await reassertIndex(deps, ownerId, entryId, touched, appliedTags, current?.createdAt);
        return outcome(changedTags);
      }
      change = { token: `${entryId}:${randomUUID()}`, tags: desired, ...(current ? { createdAt: current.createdAt } : {}) };
      if (!(await deps.aggregates.beginChange(ownerId, entryId, change, applied?.version))) continue;
    }
    const keys = changedKeys(appliedTags, change.tags);
    await Promise.all([...new Set([...keys, ...touched])].map((key) => applyTag(deps, ownerId, entryId, key, appliedTags[key], change)));
    for (const key of keys) changedTags.add(key);
    if (!(await deps.aggregates.finishChange(ownerId, entryId, change.token, change.tags))) {
      for (const key of keys) touched.add(key);
      continue;
    }
    touched.clear();
    // A change begun from the entry as just read is the entry as it is; a resumed one may be older.
    if (!resumed) return outcome(changedTags);
  }
  throw new Error(`entry ${entryId}: lost the race for its applied tags ${MAX_SYNC_ATTEMPTS} times; the stream retries it`);
}

/** One page of the caller's tech stack, most used first: one query of an index by count, whatever their number of entries. */
export async function readTechStack(reader: TechStackReader, ownerId: string, limit: number, after?: string): Promise<TechStackPage> {
  return reader.techStackPage(ownerId, limit, after);
}

function outcome(changedTags: Set<string>): SyncOutcome {
  return changedTags.size === 0 ? { kind: 'unchanged' } : { kind: 'applied', changedTags: [...changedTags].sort() };
}

function changedKeys(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => before[key] !== after[key]);
}

/** The index row first, then the total: a removed end is looked up in the index without the entry. */
async function applyTag(
  deps: SyncEntryTagsDeps,
  ownerId: string,
  entryId: string,
  key: string,
  from: string | undefined,
  change: PendingTagChange,
): Promise<void> {
  const to = change.tags[key];
  if (to !== undefined && change.createdAt !== undefined) await deps.aggregates.indexEntry(ownerId, entryId, key, to, change.createdAt);
  else await deps.aggregates.unindexEntry(ownerId, entryId, key);
  if (from === to) return;
  const delta = from === undefined ? 1 : to === undefined ? -1 : 0;
  await deps.aggregates.applyToTotal(ownerId, key, {
    entryId,
    token: change.token,
    delta,
    ...(to !== undefined && change.createdAt !== undefined ? { value: to, createdAt: change.createdAt } : {}),
  });
}

/** Rewrites the index rows a lost race may have left stale, from what is applied now. */
async function reassertIndex(
  deps: SyncEntryTagsDeps,
  ownerId: string,
  entryId: string,
  touched: Set<string>,
  appliedTags: Record<string, string>,
  createdAt: string | undefined,
): Promise<void> {
  await Promise.all(
    [...touched].map((key) => {
      const value = appliedTags[key];
      return value !== undefined && createdAt !== undefined
        ? deps.aggregates.indexEntry(ownerId, entryId, key, value, createdAt)
        : deps.aggregates.unindexEntry(ownerId, entryId, key);
    }),
  );
}
