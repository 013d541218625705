import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SqsJobQueue } from '../lambdas/devlog-api/adapters/sqs-job-queue.js';
import { sameCheckoutJobMessageVersion } from '../lambdas/devlog-api/adapters/consumer-versions.js';
import type { EntryRef } from '../lambdas/devlog-api/domain/ports.js';
import { receiveSendDelete } from './dlq-movers.js';
import { resetFailedEntries } from './reset-failed-entries.js';

/** What a redrive did. */
export interface RedriveReport {
  entriesReset: number;
  messagesMoved: number;
  /** Jobs sent anew for reset entries whose message was not in the DLQ. */
  jobsResent: number;
}

/** The local stack's table and queues, as `npm run redrive -- --local` reaches them. */
export interface LocalRedriveTarget {
  documentClient: DynamoDBDocumentClient;
  sqsClient: SQSClient;
  tableName: string;
  queueUrl: string;
  dlqUrl: string;
}

/**
 * The local redrive: failed entries back to pending, the DLQ's messages back to the jobs queue,
 * and then a fresh job for every reset entry whose message was not among them. The local DLQ
 * lives in the SQS emulator's memory, so after "fix the cause, restart" it is empty; without
 * the fresh jobs the reset entries would wait for the reconciler's grace (many minutes).
 * An entry whose message was moved gets no second job, so the model is not called twice.
 */
export async function redriveLocal(
  target: LocalRedriveTarget,
  now: Date,
  onProgress: (line: string) => void = () => {},
): Promise<RedriveReport> {
  const reset: EntryRef[] = [];
  const entriesReset = await resetFailedEntries(
    target.documentClient,
    target.tableName,
    now,
    (count) => onProgress(`entries reset to pending: ${count}`),
    (entry) => reset.push(entry),
  );
  const movedEntryIds = new Set<string>();
  const messagesMoved = await receiveSendDelete(target.sqsClient, target.dlqUrl, target.queueUrl, (body) => {
    const entryId = entryIdOf(body);
    if (entryId) movedEntryIds.add(entryId);
  })((count) => onProgress(`messages moved from the DLQ: ${count}`));
  const queue = new SqsJobQueue(target.sqsClient, target.queueUrl, { now: () => now }, sameCheckoutJobMessageVersion);
  let jobsResent = 0;
  for (const entry of reset.filter(({ id }) => !movedEntryIds.has(id))) {
    await queue.enqueue(entry);
    jobsResent++;
    onProgress(`jobs re-sent for entries without a DLQ message: ${jobsResent}`);
  }
  return { entriesReset, messagesMoved, jobsResent };
}

function entryIdOf(body: string): string | undefined {
  try {
    const entryId = (JSON.parse(body) as { entryId?: unknown }).entryId;
    return typeof entryId === 'string' ? entryId : undefined;
  } catch {
    // Not a job message: moved all the same, it just names no entry.
    return undefined;
  }
}
