import { describe, expect, it, vi } from 'vitest';
import type { EntryRef, EntryRefPage, JobQueue, StalePendingEntries } from '../../../../lambdas/api/domain/ports.js';
import { reconcilePending } from '../../../../lambdas/api/domain/reconcile-pending.js';

const NOW = new Date('2026-11-23T12:00:00.000Z');

type IndexKey = [sentAt: number, id: string];
const byIndexKey = (a: IndexKey, b: IndexKey) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

/**
 * Pending entries with their last send time, paged like the sparse index: a page continues
 * after the last key it returned (as DynamoDB's ExclusiveStartKey does), so moving an entry
 * to the end while paging neither skips nor repeats another.
 */
class FakePendingIndex implements StalePendingEntries {
  constructor(readonly sentAt: Map<string, { ref: EntryRef; sentAt: Date; pending: boolean; revision: number }>) {}

  async findSentBefore(cutoff: Date, limit: number, after?: unknown): Promise<EntryRefPage> {
    const stale = [...this.sentAt.values()]
      .filter((entry) => entry.pending && entry.sentAt < cutoff)
      .map((entry) => ({ ref: entry.ref, key: [entry.sentAt.getTime(), entry.ref.id] as IndexKey }))
      .filter(({ key }) => after === undefined || byIndexKey(key, after as IndexKey) > 0)
      .sort((a, b) => byIndexKey(a.key, b.key));
    const page = stale.slice(0, limit);
    return { items: page.map(({ ref }) => ref), next: stale.length > limit ? page.at(-1)?.key : undefined };
  }

  async markResent(ref: EntryRef, at: Date): Promise<EntryRef | undefined> {
    const entry = this.sentAt.get(ref.id);
    if (!entry?.pending) return undefined;
    entry.sentAt = at;
    return { ...ref, revision: entry.revision };
  }
}

function pendingIndex(entries: { id: string; minutesAgo: number; pending?: boolean; revision?: number }[]) {
  return new FakePendingIndex(
    new Map(
      entries.map(({ id, minutesAgo, pending = true, revision = 1 }) => [
        id,
        { ref: { ownerId: 'user-a', id }, sentAt: new Date(NOW.getTime() - minutesAgo * 60_000), pending, revision },
      ]),
    ),
  );
}

function recordingQueue(failFor: string[] = []) {
  const sent: string[] = [];
  const jobs: JobQueue = {
    enqueue: async (entry) => {
      if (failFor.includes(entry.id)) throw new Error('queue unavailable');
      sent.push(entry.id);
    },
  };
  return { jobs, sent };
}

const logger = { error: vi.fn(), warn: vi.fn() };
const settings = { graceSeconds: 900, maxEntriesPerRun: 500, pageSize: 2 };

describe('reconcilePending', () => {
  it('re-sends the job of an edited entry with its current revision, so the consumer does not skip it', async () => {
    const pending = pendingIndex([{ id: 'edited', minutesAgo: 60, revision: 3 }]);
    const revisions: (number | undefined)[] = [];
    const jobs: JobQueue = { enqueue: async (entry) => void revisions.push(entry.revision) };

    await reconcilePending({ pending, jobs, clock: { now: () => NOW }, logger }, settings);

    expect(revisions).toEqual([3]);
  });

  it('re-sends only entries whose job was sent longer ago than the grace period', async () => {
    const pending = pendingIndex([
      { id: 'old-1', minutesAgo: 60 },
      { id: 'old-2', minutesAgo: 20 },
      { id: 'fresh', minutesAgo: 5 },
      { id: 'old-3', minutesAgo: 30 },
    ]);
    const { jobs, sent } = recordingQueue();

    const report = await reconcilePending({ pending, jobs, clock: { now: () => NOW }, logger }, settings);

    expect(sent.sort()).toEqual(['old-1', 'old-2', 'old-3']);
    expect(report).toEqual({ resent: 3, failedToSend: 0, more: false });
  });

  it('re-sends an entry at most once per grace period, because the send time moves forward', async () => {
    const pending = pendingIndex([{ id: 'old', minutesAgo: 60 }]);
    const { jobs, sent } = recordingQueue();
    const deps = { pending, jobs, clock: { now: () => NOW }, logger };

    await reconcilePending(deps, settings);
    await reconcilePending(deps, settings);

    expect(sent).toEqual(['old']);
  });

  it('stops at the per-run bound and says more remain', async () => {
    const pending = pendingIndex(Array.from({ length: 7 }, (_, i) => ({ id: `old-${i}`, minutesAgo: 60 + i })));
    const { jobs, sent } = recordingQueue();

    const report = await reconcilePending(
      { pending, jobs, clock: { now: () => NOW }, logger },
      { ...settings, maxEntriesPerRun: 3 },
    );

    expect(sent).toHaveLength(3);
    expect(report.more).toBe(true);
  });

  it('counts a failed send, logs the entry id, and carries on with the others', async () => {
    const pending = pendingIndex([
      { id: 'broken', minutesAgo: 60 },
      { id: 'fine', minutesAgo: 50 },
    ]);
    const { jobs, sent } = recordingQueue(['broken']);

    const report = await reconcilePending({ pending, jobs, clock: { now: () => NOW }, logger }, settings);

    expect(sent).toEqual(['fine']);
    expect(report.failedToSend).toBe(1);
    expect(logger.error).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ entryId: 'broken' }));
  });

  it('skips an entry that stopped being pending between the query and the send', async () => {
    const pending = pendingIndex([{ id: 'old', minutesAgo: 60 }]);
    vi.spyOn(pending, 'markResent').mockResolvedValue(undefined);
    const { jobs, sent } = recordingQueue();

    const report = await reconcilePending({ pending, jobs, clock: { now: () => NOW }, logger }, settings);

    expect(sent).toEqual([]);
    expect(report.resent).toBe(0);
  });
});
