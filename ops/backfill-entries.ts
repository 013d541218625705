import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pThrottle from 'p-throttle';
import type { JobMessageVersionSource } from '../lambdas/api/adapters/consumer-versions.js';
import {
  BASELINE_JOB_MESSAGE_VERSION,
  ENTRY_SORT_PREFIX,
  ENTRY_STATUS,
  type JobMessageVersion,
  jobMessageFor,
  jobSendParameters,
  LATEST_JOB_MESSAGE_VERSION,
} from '../lambdas/contract/index.js';

/** What to re-extract and how fast. */
export interface BackfillOptions {
  tableName: string;
  queueUrl: string;
  /** Entries created at or after this instant. */
  since: Date;
  /** Re-extract entries tagged by a prompt older than this version. */
  promptVersion: number;
  /** Upper bound of jobs sent per second, to leave the extraction's rate limit to new entries. */
  jobsPerSecond: number;
  /** The job message version to send: the newest the deployed consumer accepts, as the API sends (OpsTarget). */
  jobMessageVersion: JobMessageVersionSource;
  /** Where a previous run stopped (from its checkpoint), to resume there. */
  startKey?: Record<string, unknown>;
  /** Called after each page with the progress and the key to resume from. */
  onCheckpoint: (progress: BackfillProgress) => void | Promise<void>;
}

/** How far a backfill has got. */
export interface BackfillProgress {
  scanned: number;
  enqueued: number;
  /** Resume key; undefined when the table has been read to the end. */
  nextKey?: Record<string, unknown>;
}

/**
 * Re-enqueues the jobs of `done` entries created since a date whose tags come from an older
 * prompt, so a new prompt or model reaches history. A full-table read is unavoidable here (no
 * index spans owners by date), so it is paged, throttled and resumable from a checkpoint.
 */
export async function backfillEntries(
  documentClient: DynamoDBDocumentClient,
  sqsClient: SQSClient,
  options: BackfillOptions,
): Promise<BackfillProgress> {
  const sendBatch = pThrottle({ limit: 1, interval: 10_000 / options.jobsPerSecond })(
    async (entries: { id: string; ownerId: string; revision: number }[]) => {
      const version = await options.jobMessageVersion();
      return sqsClient.send(
        new SendMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: entries.map((entry, index) => ({
            Id: String(index),
            ...jobSendParameters(jobMessageFor(entry, new Date(), backfillMessageVersion(entry.revision, version))),
          })),
        }),
      );
    },
  );
  const progress: BackfillProgress = { scanned: 0, enqueued: 0, nextKey: options.startKey };
  do {
    const page = await documentClient.send(
      new ScanCommand({
        TableName: options.tableName,
        ProjectionExpression: 'id, ownerId, revision',
        FilterExpression:
          'begins_with(sk, :entry) AND #status = :done AND createdAt >= :since AND (attribute_not_exists(promptVersion) OR promptVersion < :version)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':entry': ENTRY_SORT_PREFIX,
          ':done': ENTRY_STATUS.done,
          ':since': options.since.toISOString(),
          ':version': options.promptVersion,
        },
        Limit: 200,
        ExclusiveStartKey: progress.nextKey,
      }),
    );
    const entries = (page.Items ?? []).map((item) => ({
      id: String(item.id),
      ownerId: String(item.ownerId),
      revision: typeof item.revision === 'number' ? item.revision : 1,
    }));
    for (let start = 0; start < entries.length; start += 10) {
      const batch = entries.slice(start, start + 10);
      const { Failed = [] } = await sendBatch(batch);
      if (Failed.length > 0) throw new Error(`SQS refused ${Failed.length} jobs; resume from the checkpoint`);
      progress.enqueued += batch.length;
    }
    progress.scanned += page.ScannedCount ?? 0;
    progress.nextKey = page.LastEvaluatedKey;
    await options.onCheckpoint({ ...progress });
  } while (progress.nextKey);
  return progress;
}

/**
 * The version the consumer accepts (as the API sends it), except for an edited entry while that
 * version is still 1: it needs version 2 to carry its revision, or the consumer takes the job for
 * an older text's and skips it. Edits exist only once a consumer accepting version 2 is deployed,
 * so a source still at 1 then is stale or could not be read.
 */
function backfillMessageVersion(revision: number, accepted: JobMessageVersion): JobMessageVersion {
  return revision > 1 && accepted === BASELINE_JOB_MESSAGE_VERSION ? LATEST_JOB_MESSAGE_VERSION : accepted;
}
