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
}

/**
 * Re-sends the jobs of entries that are still pending long after their job was last sent
 * (a failed send after the write, a message the local emulator lost in a crash). Each entry's
 * send time is updated first, so an entry is re-sent at most once per grace period, and the
 * consumer's idempotency makes a duplicate harmless.
 */
export async function reconcilePending(deps: ReconcileDeps, settings: ReconcileSettings): Promise<ReconcileReport> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - settings.graceSeconds * 1000);
  const report: ReconcileReport = { resent: 0, failedToSend: 0, more: false };
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
