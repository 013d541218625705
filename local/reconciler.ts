import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoDbPendingEntries } from '../lambdas/devlog-api/adapters/dynamodb-pending-entries.js';
import { sameCheckoutJobMessageVersion } from '../lambdas/devlog-api/adapters/consumer-versions.js';
import { SqsJobQueue } from '../lambdas/devlog-api/adapters/sqs-job-queue.js';
import { reconcilePending, type ReconcileReport } from '../lambdas/devlog-api/domain/reconcile-pending.js';
import { fakeLambdaContext } from './lambda-context.js';
import type { LogLine } from './log.js';

/**
 * Re-sends the job of every pending entry, whatever its age, with the reconciler's own code.
 * Needed once at start: the SQS emulator keeps its queue in memory, so after a restart no
 * pending entry on disk has a job any more, and the scheduled reconciler's grace period would
 * leave the newest ones waiting. A duplicate job is harmless (the consumer is idempotent).
 */
export async function resendAllPendingJobs(
  dynamoDb: DynamoDBClient,
  sqs: SQSClient,
  tableName: string,
  queueUrl: string,
  log: LogLine,
): Promise<ReconcileReport> {
  const clock = { now: () => new Date() };
  return reconcilePending(
    {
      pending: new DynamoDbPendingEntries(DynamoDBDocumentClient.from(dynamoDb), tableName),
      jobs: new SqsJobQueue(sqs, queueUrl, clock, sameCheckoutJobMessageVersion),
      clock,
      logger: {
        error: (message, extra) => log(`${message} ${JSON.stringify(extra)}`),
        warn: (message, extra) => log(`${message} ${JSON.stringify(extra)}`),
      },
    },
    { graceSeconds: 0, maxEntriesPerRun: Number.MAX_SAFE_INTEGER, pageSize: 100 },
  );
}

/** The reconciler Lambda's entry point. */
export type ReconcilerHandler = (event: unknown, context?: Context) => Promise<ReconcileReport>;

/** A running schedule. */
export interface ReconcilerSchedule {
  stop(): Promise<void>;
}

/**
 * Invokes the reconciler handler every `intervalSeconds`, like the EventBridge rule of the
 * deployed stack (every 5 minutes there; shorter locally). Runs never overlap.
 */
export function scheduleReconciler(handler: ReconcilerHandler, intervalSeconds: number, log: LogLine): ReconcilerSchedule {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(async () => {
      try {
        const report = await handler(scheduledEvent(), fakeLambdaContext('devlog-reconciler', 120));
        if (report.resent > 0 || report.failedToSend > 0) {
          log(`reconciler: re-sent ${report.resent} stale pending job(s), ${report.failedToSend} send(s) failed`);
        }
      } catch (error) {
        log(`reconciler failed: ${(error as Error).message}`);
      }
    });
  }, intervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** The event an EventBridge schedule sends. */
function scheduledEvent() {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {},
  };
}
