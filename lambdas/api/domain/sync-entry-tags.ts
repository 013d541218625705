import { rankTechStack, tagsByKey, type TechStack } from './tech-stack.js';
import type { EntryTagSource, TagAggregates, TechStackReader } from './tech-stack-ports.js';

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
 * or reordered record converges to the same result and never counts twice. The order of the
 * steps makes a crash at any point safe to retry: the tag index first (idempotent puts and
 * deletes), then the totals (recomputed from the index, not incremented), and the applied
 * record last, conditionally, so a retry still sees what is left to do.
 */
export async function syncEntryTags(
  deps: SyncEntryTagsDeps,
  ownerId: string,
  entryId: string,
): Promise<SyncOutcome> {
  // Tags written by an attempt that then lost the race: a rival may have undone or redone them.
  const touched = new Set<string>();
  for (let attempt = 1; attempt <= MAX_SYNC_ATTEMPTS; attempt++) {
    const [current, applied] = await Promise.all([
      deps.entries.read(ownerId, entryId),
      deps.aggregates.applied(ownerId, entryId),
    ]);
    const desired = tagsByKey(current?.tags ?? []);
    const appliedTags = applied?.tags ?? {};
    const changed = new Set(touched);
    for (const key of new Set([...desired.keys(), ...Object.keys(appliedTags)])) {
      if (desired.get(key) !== appliedTags[key]) changed.add(key);
    }
    if (changed.size === 0) return { kind: 'unchanged' };

    await Promise.all(
      [...changed].map((key) => {
        const value = desired.get(key);
        return value !== undefined && current
          ? deps.aggregates.indexEntry(ownerId, entryId, key, value, current.createdAt)
          : deps.aggregates.unindexEntry(ownerId, entryId, key);
      }),
    );
    await Promise.all([...changed].map((key) => deps.aggregates.refreshTotal(ownerId, key)));
    if (await deps.aggregates.saveApplied(ownerId, entryId, Object.fromEntries(desired), applied?.version)) {
      return { kind: 'applied', changedTags: [...changed].sort() };
    }
    for (const key of changed) touched.add(key);
  }
  throw new Error(`entry ${entryId}: lost the race for its applied tags ${MAX_SYNC_ATTEMPTS} times; the stream retries it`);
}

/** The caller's tech stack, most used first: one query of their totals, whatever their number of entries. */
export async function readTechStack(aggregates: TechStackReader, ownerId: string): Promise<TechStack> {
  return { items: rankTechStack(await aggregates.totals(ownerId)) };
}
