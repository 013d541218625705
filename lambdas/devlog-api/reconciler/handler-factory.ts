import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { jobMessageVersionSource } from '../adapters/consumer-versions.js';
import { DynamoDbPendingEntries } from '../adapters/dynamodb-pending-entries.js';
import { SqsJobQueue } from '../adapters/sqs-job-queue.js';
import type { Clock } from '../domain/ports.js';
import { reconcilePending, type ReconcileReport } from '../domain/reconcile-pending.js';
import type { ReconcilerEnv } from './env.js';
import { RECONCILER_SETTINGS } from './settings.js';

const METRICS = RECONCILER_SETTINGS.metrics;

/** What the reconciler is built from besides its configuration. */
export interface ReconcilerHandlerDeps {
  documentClient: DynamoDBDocumentClient;
  sqsClient: SQSClient;
  logger: Logger;
  metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
}

/** The scheduled reconciler's handler. */
export type ReconcilerHandler = (event: unknown, context?: Context) => Promise<ReconcileReport>;

/** Builds the reconciler from its configuration, SDK clients, logger and metrics; nothing is read from the process. */
export function createReconcilerHandler(
  env: ReconcilerEnv,
  { documentClient, sqsClient, logger, metrics }: ReconcilerHandlerDeps,
): ReconcilerHandler {
  const clock: Clock = { now: () => new Date() };
  // Beside reconciler-handler.ts, so the specifier is the one the stack bundles apart (lazyModules).
  const versions = jobMessageVersionSource(env.CONSUMER_VERSIONS_PARAMETER, logger, () => import('./ssm-parameter.js'));
  const deps = {
    pending: new DynamoDbPendingEntries(documentClient, env.TABLE_NAME),
    jobs: new SqsJobQueue(sqsClient, env.QUEUE_URL, clock, versions),
    clock,
    logger,
  };
  return async (_event, context) => {
    if (context) logger.addContext(context);
    try {
      const report = await reconcilePending(deps, {
        graceSeconds: env.RECONCILE_GRACE_SECONDS,
        maxEntriesPerRun: env.RECONCILE_MAX_ENTRIES,
        pageSize: 100,
      });
      metrics.addMetric(METRICS.resent, MetricUnit.Count, report.resent);
      metrics.addMetric(METRICS.sendFailures, MetricUnit.Count, report.failedToSend);
      metrics.addMetric(METRICS.oldestPendingAge, MetricUnit.Seconds, report.oldestPendingSeconds);
      metrics.addMetric(METRICS.mostResendsOfOneEntry, MetricUnit.Count, report.mostResendsOfOneEntry);
      if (report.resent > 0 || report.failedToSend > 0) logger.warn('re-sent stale pending entries', { ...report });
      return report;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
