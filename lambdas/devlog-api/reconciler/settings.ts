import { deployedReconcileGraceSeconds } from '../../contract/index.js';
import { longestLegitimatePendingSeconds } from '../domain/reconcile-pending.js';

/** The reconciler's schedule and the figures it publishes, shared by its handler and the stack's alarms. */
export const RECONCILER_SETTINGS = {
  /** How often the schedule runs the reconciler. */
  periodSeconds: 300,
  /**
   * Re-sends of one entry from which its alarm fires: one lost send is the failure the
   * reconciler exists for, a second is rare, a third means its jobs never make it done.
   */
  alarmingResendsOfOneEntry: 3,
  metrics: {
    namespace: 'DevLogTags',
    service: 'devlog-reconciler',
    resent: 'ReconciledEntries',
    sendFailures: 'ReconcileSendFailures',
    /** Seconds the longest-pending entry a run saw has been pending (ReconcileReport.oldestPendingSeconds). */
    oldestPendingAge: 'OldestPendingEntryAge',
    /** The most re-sends of one entry a run made (ReconcileReport.mostResendsOfOneEntry). */
    mostResendsOfOneEntry: 'MostResendsOfOneEntry',
  },
} as const;

/** The deployed reconciler's longest legitimate pending time: from the contract's grace and its period. */
export function deployedLongestLegitimatePendingSeconds(): number {
  return longestLegitimatePendingSeconds({
    graceSeconds: deployedReconcileGraceSeconds(),
    periodSeconds: RECONCILER_SETTINGS.periodSeconds,
  });
}

/**
 * The longest time between two re-sends of the same stuck entry: the grace plus one period. An
 * alarm on a figure only seen when an entry is re-sent must look back this far, or it would
 * flap between two re-sends.
 */
export function deployedResendIntervalSeconds(): number {
  return deployedReconcileGraceSeconds() + RECONCILER_SETTINGS.periodSeconds;
}
