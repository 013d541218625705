import { ENTRY_SORT_PREFIX } from '../../contract/index.js';

/**
 * The event source mapping of the tech-stack aggregator, read by the API stack and by the local
 * stream stand-in (local/emulators/dynamodb-stream.ts) so both deliver the same way.
 */
export const AGGREGATOR_SETTINGS = {
  /** Records per invocation. */
  batchSize: 100,
  /** Retries of a failing batch before its records go to the aggregator's DLQ (as metadata). */
  retryAttempts: 10,
  functionTimeoutSeconds: 60,
  /**
   * Stream shards processed at once (one invocation each, ParallelizationFactor 1): the
   * concurrency reserved for the aggregator. A table's stream has about one shard per partition;
   * more shards only wait their turn (records stay in the stream for 24 h).
   */
  maxShards: 10,
  /** Only records of entry items reach the function (not idempotency keys). */
  entrySortKeyPrefix: ENTRY_SORT_PREFIX,
} as const;
