import { describe, expect, it, vi } from 'vitest';
import type { EntryRef, EntryRefPage, JobQueue, ResentEntry, StalePendingEntries } from '../../../../lambdas/devlog-api/domain/ports.js';
import { longestLegitimatePendingSeconds, reconcilePending } from '../../../../lambdas/devlog-api/domain/reconcile-pending.js';

const NOW = new Date('2026-11-23T12:00:00.000Z');

type IndexKey = [sentAt: number, id: string];
const byIndexKey = (a: IndexKey, b: IndexKey) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

/**
 * Pending entries with their last send time, paged like the sparse index: a page continues
 * after the last key it returned (as DynamoDB's ExclusiveStartKey does), so moving an entry
 * to the end while paging neither skips nor repeats another.
 */
class FakePendingIndex implements StalePendingEntries {
  constructor(
    readonly sentAt: Map<string, { ref: EntryRef; sentAt: Date; pending: boolean; revision: number; pendingSince: Date; resends: number }>,
  ) {}

  async oldestSentAt(): Promise<Date | undefined> {
    const pending = [...this.sentAt.values()].filter((entry) => entry.pending).map((entry) => entry.sentAt.getTime());
    return pending.length > 0 ? new Date(Math.min(...pending)) : undefined;
  }

  async findSentBefore(cutoff: Date, limit: number, after?: unknown): Promise<EntryRefPage> {
    const stale = [...this.sentAt.values()]
      .filter((entry) => entry.pending && entry.sentAt < cutoff)
      .map((entry) => ({ ref: entry.ref, key: [entry.sentAt.getTime(), entry.ref.id] as IndexKey }))
      .filter(({ key }) => after === undefined || byIndexKey(key, after as IndexKey) > 0)
      .sort((a, b) => byIndexKey(a.key, b.key));
    const page = stale.slice(0, limit);
    return { items: page.map(({ ref }) => ref), next: stale.length > limit ? page.at(-1)?.key : undefined };
  }

  async markResent(ref: EntryRef, at: Date): Promise<ResentEntry | undefined> {
    const entry = this.sentAt.get(ref.id);
    if (!entry?.pending) return undefined;
    entry.sentAt = at;
    entry.resends++;
    return { ...ref, revision: entry.revision, pendingSince: entry.pendingSince, resends: entry.resends };
  }
}

const minutesBefore = (time: Date, minutes: number) => new Date(time.getTime() - minutes * 60_000);

function pendingIndex(
  entries: { id: string; minutesAgo: number; pending?: boolean; revision?: number; pendingForMinutes?: number; resends?: number }[],
) {
  return new FakePendingIndex(
    new Map(
      entries.map(({ id, minutesAgo, pending = true, revision = 1, pendingForMinutes = minutesAgo, resends = 0 }) => [
        id,
        {
          ref: { ownerId: 'user-a', id },
          sentAt: minutesBefore(NOW, minutesAgo),
          pending,
          revision,
          pendingSince: minutesBefore(NOW, pendingForMinutes),
          resends,
        },
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
    expect(report).toMatchObject({ resent: 3, failedToSend: 0, more: false });
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

    const report = await reconcilePending({ pending, jobs, clock: { now: () => NOW }, logger }, { ...settings, maxEntriesPerRun: 3 });

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

  it('reports how long the least recently sent entry has been pending, also when nothing is stale', async () => {
    const pending = pendingIndex([
      { id: 'fresh', minutesAgo: 5 },
      { id: 'fresher', minutesAgo: 2 },
    ]);

    const report = await reconcilePending({ pending, jobs: recordingQueue().jobs, clock: { now: () => NOW }, logger }, settings);

    expect(report).toMatchObject({ resent: 0, oldestPendingSeconds: 300, mostResendsOfOneEntry: 0 });
  });

  it('reports a re-sent entry by how long it has been pending, not since its last send, and how often it was re-sent', async () => {
    // Arrange: re-sent twice before, pending for 5 hours; its last send (the index order) was 20 minutes ago
    const pending = pendingIndex([
      { id: 'stuck', minutesAgo: 20, pendingForMinutes: 300, resends: 2 },
      { id: 'lost-once', minutesAgo: 40 },
    ]);

    // Act
    const report = await reconcilePending({ pending, jobs: recordingQueue().jobs, clock: { now: () => NOW }, logger }, settings);

    // Assert
    expect(report).toMatchObject({ resent: 2, oldestPendingSeconds: 300 * 60, mostResendsOfOneEntry: 3 });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('re-sending'),
      expect.objectContaining({ entryId: 'stuck', resends: 3, pendingSeconds: 300 * 60 }),
    );
  });

  it('reports nothing pending as 0 seconds', async () => {
    const report = await reconcilePending(
      { pending: pendingIndex([]), jobs: recordingQueue().jobs, clock: { now: () => NOW }, logger },
      settings,
    );

    expect(report).toEqual({ resent: 0, failedToSend: 0, more: false, oldestPendingSeconds: 0, mostResendsOfOneEntry: 0 });
  });
});

describe('longestLegitimatePendingSeconds', () => {
  it("covers the first job's retries, the reconciler noticing it was lost, and the re-sent job's retries", () => {
    expect(longestLegitimatePendingSeconds({ graceSeconds: 3900, periodSeconds: 300 })).toBe(2 * 3900 + 300);
  });
});
