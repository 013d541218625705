import type { Clock, JobQueue, StalePendingEntries, UseCaseLogger } from './ports.js';

/** Ports of the reconciler. */
export interface ReconcileDeps {
  pending: StalePendingEntries;
  jobs: JobQueue;
  clock: Clock;
  logger: UseCaseLogger;
}

/** How far back the reconciler trusts the queue, and how much it does per run. */
export interface ReconcileSettings {
  /** A job sent less than this long ago may still be queued or retrying: leave it alone. */
  graceSeconds: number;
  /** Upper bound of jobs re-sent per run, so a big backlog is healed over several runs. */
  maxEntriesPerRun: number;
  pageSize: number;
}

/** What one run did. */
export interface ReconcileReport {
  resent: number;
  failedToSend: number;
  /** Whether stale entries remain for the next run. */
  more: boolean;
  /**
   * How long the longest-pending entry this run saw has been pending, in seconds: the least
   * recently sent entry of the index (never re-sent, it has been pending since its send) or
   * an entry it re-sent (pending since it was created, edited or reset). 0 when none is pending.
   */
  oldestPendingSeconds: number;
  /** The most re-sends of one entry since it last became pending, among those re-sent in this run. */
  mostResendsOfOneEntry: number;
}

/**
 * Re-sends the jobs of entries that are still pending long after their job was last sent
 * (a failed send after the write, a message the local emulator lost in a crash). Each entry's
 * send time is updated first, so an entry is re-sent at most once per grace period, and the
 * consumer's idempotency makes a duplicate harmless. Reports how long entries have been pending
 * and how often one was re-sent: an entry that keeps coming back means its jobs do not make it
 * done (a class of bugs no re-send heals), which the alarms on these figures catch.
 */
export async function reconcilePending(deps: ReconcileDeps, settings: ReconcileSettings): Promise<ReconcileReport> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - settings.graceSeconds * 1000);
  const secondsSince = (then: Date) => Math.max(0, (now.getTime() - then.getTime()) / 1000);
  const oldestSentAt = await deps.pending.oldestSentAt();
  const report: ReconcileReport = {
    resent: 0,
    failedToSend: 0,
    more: false,
    oldestPendingSeconds: oldestSentAt ? secondsSince(oldestSentAt) : 0,
    mostResendsOfOneEntry: 0,
  };
  let after: unknown;
  do {
    const remaining = settings.maxEntriesPerRun - report.resent - report.failedToSend;
    if (remaining <= 0) {
      report.more = true;
      break;
    }
    const page = await deps.pending.findSentBefore(cutoff, Math.min(settings.pageSize, remaining), after);
    await Promise.all(
      page.items.map(async (entry) => {
        const resent = await deps.pending.markResent(entry, now);
        if (!resent) return;
        deps.logger.warn('re-sending the job of a stale pending entry', {
          entryId: resent.id,
          ownerId: resent.ownerId,
          revision: resent.revision,
          resends: resent.resends,
          pendingSeconds: Math.round(secondsSince(resent.pendingSince)),
        });
        report.oldestPendingSeconds = Math.max(report.oldestPendingSeconds, secondsSince(resent.pendingSince));
        report.mostResendsOfOneEntry = Math.max(report.mostResendsOfOneEntry, resent.resends);
        try {
          await deps.jobs.enqueue(resent);
          report.resent++;
        } catch (error) {
          report.failedToSend++;
          deps.logger.error('re-send failed; the next run retries', { entryId: entry.id, error });
        }
      }),
    );
    after = page.next;
  } while (after !== undefined);
  return report;
}

/**
 * The longest an entry can legitimately stay pending: its first job's whole retry path (the
 * grace), the reconciler noticing a lost job (one more period after the grace), and the re-sent
 * job's whole retry path. Any longer, and re-sending is not making the entry done.
 */
export function longestLegitimatePendingSeconds(settings: { graceSeconds: number; periodSeconds: number }): number {
  return 2 * settings.graceSeconds + settings.periodSeconds;
}
