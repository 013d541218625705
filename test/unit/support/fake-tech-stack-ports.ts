import {
  nextTotal,
  rankTechStack,
  tagKey,
  techStackItemOf,
  techStackRank,
  type TagTotal,
  type TechStackPage,
  type TotalChange,
} from '../../../lambdas/devlog-api/domain/tech-stack.js';
import type {
  AppliedEntryTags,
  CurrentEntryTags,
  EntryTagSource,
  PendingTagChange,
  TagAggregates,
  TaggedEntries,
  TaggedEntryIds,
  TechStackReader,
} from '../../../lambdas/devlog-api/domain/tech-stack-ports.js';

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

interface StoredTotal {
  total: TagTotal;
  tokens: Set<string>;
  version: number;
}

/**
 * The tags table in memory with the DynamoDB adapter's semantics: totals moved by the domain's
 * nextTotal at most once per token, tokens retired once their change is finished, conditional
 * applied records. `failNext` makes the next call of a method throw, as a crash or a throttled
 * write would; `calls` counts the calls of each method.
 */
export class InMemoryTagAggregates implements TagAggregates, TaggedEntries, TechStackReader {
  readonly index = new Map<string, Map<string, IndexedEntry>>();
  readonly storedTotals = new Map<string, StoredTotal>();
  readonly appliedRecords = new Map<string, AppliedEntryTags>();
  readonly calls = new Map<string, number>();
  private readonly failures = new Map<keyof TagAggregates, number>();
  private versions = 0;

  /** Makes the next `times` calls of `method` throw. */
  failNext(method: keyof TagAggregates, times = 1): void {
    this.failures.set(method, times);
  }

  /** Forgets the failures not yet thrown. */
  heal(): void {
    this.failures.clear();
  }

  async applied(ownerId: string, entryId: string): Promise<AppliedEntryTags | undefined> {
    this.enter('applied');
    const applied = this.appliedRecords.get(`${ownerId}/${entryId}`);
    return applied && structuredClone(applied);
  }

  async beginChange(ownerId: string, entryId: string, change: PendingTagChange, expectedVersion: string | undefined): Promise<boolean> {
    this.enter('beginChange');
    const id = `${ownerId}/${entryId}`;
    const record = this.appliedRecords.get(id);
    if (record?.version !== expectedVersion || record?.pending) return false;
    this.appliedRecords.set(id, {
      tags: record?.tags ?? {},
      version: record?.version ?? `v${++this.versions}`,
      pending: structuredClone(change),
    });
    return true;
  }

  async entriesTagged(ownerId: string, key: string, limit: number, afterId?: string): Promise<TaggedEntryIds> {
    const newestFirst = [...(this.index.get(`${ownerId}/${key}`)?.keys() ?? [])]
      .filter((id) => afterId === undefined || id < afterId)
      .sort((a, b) => (a < b ? 1 : -1));
    const ids = newestFirst.slice(0, limit);
    return { ids, lastId: newestFirst.length > limit ? ids.at(-1) : undefined };
  }

  async indexEntry(ownerId: string, entryId: string, key: string, value: string, createdAt: string): Promise<void> {
    this.enter('indexEntry');
    const partition = this.index.get(`${ownerId}/${key}`) ?? new Map<string, IndexedEntry>();
    partition.set(entryId, { value, createdAt });
    this.index.set(`${ownerId}/${key}`, partition);
  }

  async unindexEntry(ownerId: string, entryId: string, key: string): Promise<void> {
    this.enter('unindexEntry');
    this.index.get(`${ownerId}/${key}`)?.delete(entryId);
  }

  async applyToTotal(ownerId: string, key: string, change: TotalChange): Promise<void> {
    this.enter('applyToTotal');
    const id = `${ownerId}/${key}`;
    const stored = this.storedTotals.get(id);
    if (change.delta !== 0 && stored?.tokens.has(change.token)) return;
    const total = await nextTotal(stored?.total, change, async (end) => {
      const rows = [...(this.index.get(id) ?? new Map<string, IndexedEntry>()).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
      const row = end === 'first' ? rows[0] : rows.at(-1);
      return row && { entryId: row[0], ...row[1] };
    });
    const tokens = new Set([...(stored?.tokens ?? [])].filter((token) => this.underWay(ownerId, token)));
    if (change.delta !== 0) tokens.add(change.token);
    this.storedTotals.set(id, { total, tokens, version: (stored?.version ?? 0) + 1 });
  }

  async finishChange(ownerId: string, entryId: string, token: string, tags: Record<string, string>): Promise<boolean> {
    this.enter('finishChange');
    const id = `${ownerId}/${entryId}`;
    if (this.appliedRecords.get(id)?.pending?.token !== token) return false;
    if (Object.keys(tags).length === 0) this.appliedRecords.delete(id);
    else this.appliedRecords.set(id, { tags: { ...tags }, version: `v${++this.versions}` });
    return true;
  }

  async techStackPage(ownerId: string, limit: number, after?: string): Promise<TechStackPage> {
    const ranked = rankTechStack(
      [...this.storedTotals.entries()]
        .filter(([id]) => id.startsWith(`${ownerId}/`))
        .flatMap(([, { total }]) => techStackItemOf(total) ?? []),
    );
    const rank = (item: (typeof ranked)[number]) => techStackRank(item.count, item.lastSeen, tagKey(item.value));
    const rest = after === undefined ? ranked : ranked.filter((item) => rank(item) > after);
    const items = rest.slice(0, limit);
    return { items, ...(rest.length > limit ? { after: rank(items.at(-1)!) } : {}) };
  }

  /** The totals as a recount of the tag index would make them: what the stored totals must equal. */
  recount(ownerId: string): Record<string, { count: number; firstSeen: string; lastSeen: string; value: string }> {
    const totals: Record<string, { count: number; firstSeen: string; lastSeen: string; value: string }> = {};
    for (const [id, partition] of this.index) {
      if (!id.startsWith(`${ownerId}/`) || partition.size === 0) continue;
      const rows = [...partition.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
      const [first, last] = [rows[0]![1], rows.at(-1)![1]];
      totals[id.slice(ownerId.length + 1)] = {
        count: rows.length,
        firstSeen: first.createdAt,
        lastSeen: last.createdAt,
        value: last.value,
      };
    }
    return totals;
  }

  /** The stored totals of the owner that count at least one entry, in recount's shape. */
  counted(ownerId: string): Record<string, { count: number; firstSeen: string; lastSeen: string; value: string }> {
    const totals: Record<string, { count: number; firstSeen: string; lastSeen: string; value: string }> = {};
    for (const [id, { total }] of this.storedTotals) {
      const item = id.startsWith(`${ownerId}/`) ? techStackItemOf(total) : undefined;
      if (item)
        totals[id.slice(ownerId.length + 1)] = { count: item.count, firstSeen: item.firstSeen, lastSeen: item.lastSeen, value: item.value };
    }
    return totals;
  }

  private underWay(ownerId: string, token: string): boolean {
    return this.appliedRecords.get(`${ownerId}/${token.slice(0, token.indexOf(':'))}`)?.pending?.token === token;
  }

  private enter(method: keyof TagAggregates): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    const left = this.failures.get(method) ?? 0;
    if (left === 0) return;
    this.failures.set(method, left - 1);
    throw new Error(`injected failure of ${method}`);
  }
}
