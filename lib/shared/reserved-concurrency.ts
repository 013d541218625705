import { AGGREGATOR_SETTINGS } from '../../lambdas/devlog-api/aggregator/settings.js';
import { WEB_FUNCTION_TIMEOUTS_SECONDS } from '../../lambdas/devlog-api/function-timeouts.js';
import { RECONCILER_SETTINGS } from '../../lambdas/devlog-api/reconciler/settings.js';
import { CONSUMER_SETTINGS } from '../../lambdas/contract/index.js';

/** AWS's default concurrency limit of an account in a region, shared by all its functions. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;

/**
 * Concurrency reserved for the functions that work behind the API, so no burst of API traffic
 * (`Prefer: wait` GETs hold an invocation up to 20 s) can take it from them. A reservation is
 * also a ceiling, so each is what the function can use at most:
 * - extraction: the event source mapping's `maxConcurrency` (the contract) plus one for the
 *   release's dry run, which CodeDeploy's pre-traffic hook invokes on the new version;
 * - aggregator: one invocation per stream shard and batch (ParallelizationFactor 1), for up to
 *   AGGREGATOR_SETTINGS.maxShards shards; beyond that records wait in the stream and are retried;
 * - reconciler: a run lasts at most its timeout, shorter than the schedule, so one at a time;
 * - backfill collector: one run at a time, which resumes where the last stopped.
 */
export const RESERVED_CONCURRENCY = {
  extraction: CONSUMER_SETTINGS.maxConcurrency + 1,
  aggregator: AGGREGATOR_SETTINGS.maxShards,
  reconciler: Math.ceil(WEB_FUNCTION_TIMEOUTS_SECONDS.reconciler / RECONCILER_SETTINGS.periodSeconds),
  backfillCollector: 1,
} as const;

/** What the reservations leave to the API and every other function of the account. */
export function unreservedConcurrency(accountConcurrency = DEFAULT_ACCOUNT_CONCURRENCY): number {
  return Object.values(RESERVED_CONCURRENCY).reduce((left, reserved) => left - reserved, accountConcurrency);
}
