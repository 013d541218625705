import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type OpenAI from 'openai';
import { DynamoDbBatchLedger } from '../adapters/dynamodb-backfill-ledger.js';
import { DynamoDbEntryTagStore } from '../adapters/dynamodb-entry-tag-store.js';
import { openAiBatchApi } from '../adapters/openai-batch-api.js';
import type { BackfillCollectorEnv } from './collector-env.js';
import { type CollectReport, collectBackfillBatches } from './collect-batches.js';

/** Time kept back from the function's timeout: the chunk under way and its progress save finish in it. */
const STOP_MARGIN_MS = 60_000;

/** What the collector is built from besides its configuration. */
export interface BackfillCollectorDeps {
  documentClient: DynamoDBDocumentClient;
  /** The OpenAI client (its key read from Secrets Manager). */
  openAi: () => Promise<OpenAI>;
  logger: Pick<Logger, 'info' | 'addContext'>;
}

/** The scheduled collector: one run applies what it can of every finished backfill batch. */
export type BackfillCollectorHandler = (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<CollectReport>;

/**
 * Builds the collector handler. EventBridge invokes it on a schedule; it stops starting chunks
 * STOP_MARGIN_MS before its timeout and the next run resumes where it stopped (the ledger).
 */
export function createBackfillCollectorHandler(env: BackfillCollectorEnv, deps: BackfillCollectorDeps): BackfillCollectorHandler {
  const store = new DynamoDbEntryTagStore(deps.documentClient, env.TABLE_NAME);
  const ledger = new DynamoDbBatchLedger(deps.documentClient, env.BACKFILL_TABLE_NAME);
  const api = openAiBatchApi(deps.openAi);
  return async (_event, context) => {
    const report = await collectBackfillBatches({
      store,
      ledger,
      api,
      now: () => new Date(),
      extractorVersion: env.SERVICE_VERSION,
      outOfTime: () => context.getRemainingTimeInMillis() < STOP_MARGIN_MS,
      applyPerSecond: env.BACKFILL_APPLY_PER_SECOND,
    });
    deps.logger.info(`backfill collector: ${report.batches.length} open batches`, { batches: report.batches });
    return report;
  };
}
