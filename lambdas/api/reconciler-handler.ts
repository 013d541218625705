import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { DynamoDbPendingEntries } from './adapters/dynamodb-pending-entries.js';
import { jobMessageVersionSource } from './adapters/consumer-versions.js';
import { SqsJobQueue } from './adapters/sqs-job-queue.js';
import { createAwsClients } from './aws-clients.js';
import { WEB_FUNCTION_TIMEOUTS_SECONDS } from './function-timeouts.js';
import type { Clock } from './domain/ports.js';
import { reconcilePending, type ReconcileReport } from './domain/reconcile-pending.js';
import { readReconcilerEnv } from './reconciler-env.js';

const env = readReconcilerEnv(process.env);
const logger = new Logger({ serviceName: 'devlog-reconciler' });
const metrics = new Metrics({ namespace: 'DevLogTags', serviceName: 'devlog-reconciler' });
const clock: Clock = { now: () => new Date() };
const { documentClient, sqsClient } = createAwsClients(env.AWS_ENDPOINT_URL_SQS, WEB_FUNCTION_TIMEOUTS_SECONDS.reconciler);
const deps = {
  pending: new DynamoDbPendingEntries(documentClient, env.TABLE_NAME),
  jobs: new SqsJobQueue(sqsClient, env.QUEUE_URL, clock, jobMessageVersionSource(env.CONSUMER_VERSIONS_PARAMETER, logger, () => import('./adapters/ssm-parameter.js'))),
  clock,
  logger,
};

/** Scheduled entry point: re-sends the jobs of entries stuck in `pending`. */
export async function handler(_event: unknown, context?: Context): Promise<ReconcileReport> {
  if (context) logger.addContext(context);
  try {
    const report = await reconcilePending(deps, {
      graceSeconds: env.RECONCILE_GRACE_SECONDS,
      maxEntriesPerRun: env.RECONCILE_MAX_ENTRIES,
      pageSize: 100,
    });
    metrics.addMetric('ReconciledEntries', MetricUnit.Count, report.resent);
    metrics.addMetric('ReconcileSendFailures', MetricUnit.Count, report.failedToSend);
    if (report.resent > 0 || report.failedToSend > 0) logger.warn('re-sent stale pending entries', { ...report });
    return report;
  } finally {
    metrics.publishStoredMetrics();
  }
}
