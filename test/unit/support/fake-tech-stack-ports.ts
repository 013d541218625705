import type { TechStackItem } from '../../../lambdas/api/domain/tech-stack.js';
import type {
  AppliedEntryTags,
  CurrentEntryTags,
  EntryTagSource,
  TagAggregates,
  TaggedEntries,
  TaggedEntryIds,
} from '../../../lambdas/api/domain/tech-stack-ports.js';

/** Entries' current tags in memory, keyed `owner/entry`. */
export class InMemoryEntryTagSource implements EntryTagSource {
  readonly entries = new Map<string, CurrentEntryTags>();
  reads = 0;

  /** Sets (or with undefined deletes) an entry as the API and the extraction would leave it. */
  set(ownerId: string, entryId: string, entry: CurrentEntryTags | undefined): void {
    if (entry) this.entries.set(`${ownerId}/${entryId}`, structuredClone(entry));
    else this.entries.delete(`${ownerId}/${entryId}`);
  }

  async read(ownerId: string, entryId: string): Promise<CurrentEntryTags | undefined> {
    this.reads++;
    const entry = this.entries.get(`${ownerId}/${entryId}`);
    return entry && structuredClone(entry);
  }
}

interface IndexedEntry {
  value: string;
  createdAt: string;
}

/**
 * The tags table in memory with the DynamoDB adapter's semantics: totals recomputed from the
 * index, conditional applied records. `failNext` makes the next call of a method throw, as a
 * crash or a throttled write would.
 */
export class InMemoryTagAggregates implements TagAggregates, TaggedEntries {
  readonly index = new Map<string, Map<string, IndexedEntry>>();
  readonly storedTotals = new Map<string, TechStackItem>();
  readonly appliedRecords = new Map<string, AppliedEntryTags>();
  private readonly failures = new Map<keyof TagAggregates, number>();
  private versions = 0;

  /** Makes the next `times` calls of `method` throw. */
  failNext(method: keyof TagAggregates, times = 1): void {
    this.failures.set(method, times);
  }

  async applied(ownerId: string, entryId: string): Promise<AppliedEntryTags | undefined> {
    this.maybeFail('applied');
    const applied = this.appliedRecords.get(`${ownerId}/${entryId}`);
    return applied && structuredClone(applied);
  }

  async entriesTagged(ownerId: string, key: string, limit: number, afterId?: string): Promise<TaggedEntryIds> {
    const newestFirst = [...(this.index.get(`${ownerId}/${key}`)?.keys() ?? [])]
      .filter((id) => afterId === undefined || id < afterId)
      .sort((a, b) => (a < b ? 1 : -1));
    const ids = newestFirst.slice(0, limit);
    return { ids, lastId: newestFirst.length > limit ? ids.at(-1) : undefined };
  }

  async indexEntry(ownerId: string, entryId: string, key: string, value: string, createdAt: string): Promise<void> {
    this.maybeFail('indexEntry');
    const partition = this.index.get(`${ownerId}/${key}`) ?? new Map<string, IndexedEntry>();
    partition.set(entryId, { value, createdAt });
    this.index.set(`${ownerId}/${key}`, partition);
  }

  async unindexEntry(ownerId: string, entryId: string, key: string): Promise<void> {
    this.maybeFail('unindexEntry');
    this.index.get(`${ownerId}/${key}`)?.delete(entryId);
  }

  async refreshTotal(ownerId: string, key: string): Promise<void> {
    this.maybeFail('refreshTotal');
    const byId = [...(this.index.get(`${ownerId}/${key}`) ?? new Map<string, IndexedEntry>()).entries()].sort(([a], [b]) =>
      a < b ? -1 : 1,
    );
    const oldest = byId[0]?.[1];
    const newest = byId.at(-1)?.[1];
    if (!oldest || !newest) {
      this.storedTotals.delete(`${ownerId}/${key}`);
      return;
    }
    this.storedTotals.set(`${ownerId}/${key}`, {
      value: newest.value,
      count: byId.length,
      firstSeen: oldest.createdAt,
      lastSeen: newest.createdAt,
    });
  }

  async saveApplied(
    ownerId: string,
    entryId: string,
    tags: Record<string, string>,
    expectedVersion: string | undefined,
  ): Promise<boolean> {
    this.maybeFail('saveApplied');
    const id = `${ownerId}/${entryId}`;
    if (this.appliedRecords.get(id)?.version !== expectedVersion) return false;
    if (Object.keys(tags).length === 0) this.appliedRecords.delete(id);
    else this.appliedRecords.set(id, { tags: { ...tags }, version: `v${++this.versions}` });
    return true;
  }

  async totals(ownerId: string): Promise<TechStackItem[]> {
    this.maybeFail('totals');
    return [...this.storedTotals.entries()]
      .filter(([id]) => id.startsWith(`${ownerId}/`))
      .map(([, total]) => structuredClone(total));
  }

  private maybeFail(method: keyof TagAggregates): void {
    const left = this.failures.get(method) ?? 0;
    if (left === 0) return;
    this.failures.set(method, left - 1);
    throw new Error(`injected failure of ${method}`);
  }
}
