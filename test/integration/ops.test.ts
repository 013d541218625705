import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { entryKey, FAILED_BUCKET, JobMessageSchema, jobMessageFor } from '../../lambdas/contract/index.js';
import { receiveSendDelete } from '../../ops/dlq-movers.js';
import { redriveLocal } from '../../ops/local-redrive.js';
import { resetFailedEntries } from '../../ops/reset-failed-entries.js';
import { startTestEmulators, type TestEmulators } from './support/emulators.js';

let emulators: TestEmulators;
let documentClient: DynamoDBDocumentClient;
let idCounter = 0;

beforeAll(async () => {
  emulators = await startTestEmulators();
  documentClient = emulators.documents;
});
afterAll(async () => {
  await emulators?.stop();
});

/** A fresh ULID-shaped id, unique within this file. */
function nextId(): string {
  idCounter++;
  return `01JDQ8Z6X4M1V9T3K7N2P5R${String(idCounter).padStart(3, '0')}`;
}

/** The table and queues as the local redrive finds them. */
function localTargetOfTheEmulators() {
  return {
    documentClient,
    sqsClient: emulators.sqs,
    tableName: emulators.tableName,
    queueUrl: emulators.queues.queueUrl,
    dlqUrl: emulators.queues.deadLetterQueueUrl,
  };
}

async function putEntry(fields: Record<string, unknown> & { ownerId: string; id: string }) {
  await documentClient.send(
    new PutCommand({
      TableName: emulators.tableName,
      Item: { ...entryKey(fields.ownerId, fields.id), entry: 'Django', tags: [], ...fields },
    }),
  );
}

async function readEntry(ownerId: string, id: string) {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: emulators.tableName, Key: entryKey(ownerId, id), ConsistentRead: true }),
  );
  return Item;
}

async function drain(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await emulators.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((message) => message.Body ?? ''));
  }
}

async function visibleMessages(queueUrl: string): Promise<number> {
  const { Attributes } = await emulators.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages);
}

describe('redrive', () => {
  beforeEach(async () => {
    await drain(emulators.queues.queueUrl);
    await drain(emulators.queues.deadLetterQueueUrl);
  });

  it('puts failed entries back to pending, then moves every DLQ message to the jobs queue', async () => {
    const failed = [nextId(), nextId(), nextId()];
    for (const id of failed) {
      await putEntry({
        ownerId: 'user-a',
        id,
        status: 'failed',
        error: 'gave up after 5 attempts',
        failedBucket: FAILED_BUCKET,
        createdAt: '2026-11-20T10:00:00.000Z',
      });
      await emulators.sqs.send(
        new SendMessageCommand({
          QueueUrl: emulators.queues.deadLetterQueueUrl,
          MessageBody: JSON.stringify(jobMessageFor({ id, ownerId: 'user-a' }, new Date())),
        }),
      );
    }
    const done = nextId();
    await putEntry({ ownerId: 'user-a', id: done, status: 'done', createdAt: '2026-11-20T10:00:00.000Z' });

    const reset = await resetFailedEntries(documentClient, emulators.tableName, new Date('2026-11-23T12:00:00Z'));
    const moved = await receiveSendDelete(emulators.sqs, emulators.queues.deadLetterQueueUrl, emulators.queues.queueUrl)(() => {});

    expect(reset).toBe(3);
    expect(moved).toBe(3);
    for (const id of failed) {
      const entry = await readEntry('user-a', id);
      expect(entry).toMatchObject({ status: 'pending', pendingBucket: 'pending', enqueuedAt: '2026-11-23T12:00:00.000Z' });
      expect(entry?.failedBucket).toBeUndefined();
      // Kept while the retry is under way: clients show why the earlier attempt failed.
      expect(entry?.error).toBe('gave up after 5 attempts');
    }
    expect((await readEntry('user-a', done))?.status).toBe('done');
    expect(await visibleMessages(emulators.queues.deadLetterQueueUrl)).toBe(0);
    const jobs = (await drain(emulators.queues.queueUrl)).map((body) => JobMessageSchema.parse(JSON.parse(body)));
    expect(jobs.map((job) => job.entryId).sort()).toEqual([...failed].sort());
  });

  it('locally, also sends a job for every reset entry whose message is not in the DLQ (the emulator lost it at a restart), and only for those', async () => {
    // Arrange: two failed entries; only one still has its message in the DLQ
    const [kept, lost] = [nextId(), nextId()] as [string, string];
    for (const id of [kept, lost]) {
      await putEntry({
        ownerId: 'user-b',
        id,
        status: 'failed',
        error: 'model down',
        failedBucket: FAILED_BUCKET,
        createdAt: '2026-11-20T10:00:00.000Z',
      });
    }
    await emulators.sqs.send(
      new SendMessageCommand({
        QueueUrl: emulators.queues.deadLetterQueueUrl,
        MessageBody: JSON.stringify(jobMessageFor({ id: kept, ownerId: 'user-b' }, new Date())),
      }),
    );

    // Act
    const report = await redriveLocal(localTargetOfTheEmulators(), new Date('2026-11-23T12:00:00Z'));

    // Assert
    expect(report).toEqual({ entriesReset: 2, messagesMoved: 1, jobsResent: 1 });
    const jobs = (await drain(emulators.queues.queueUrl)).map((body) => JobMessageSchema.parse(JSON.parse(body)));
    expect(jobs.map((job) => job.entryId).sort()).toEqual([kept, lost].sort());
    expect((await readEntry('user-b', lost))?.status).toBe('pending');
  });

  it('locally, sends the job of a reset entry that was edited for its current revision', async () => {
    // Arrange
    const id = nextId();
    await putEntry({
      ownerId: 'user-c',
      id,
      status: 'failed',
      revision: 3,
      failedBucket: FAILED_BUCKET,
      createdAt: '2026-11-20T10:00:00.000Z',
    });

    // Act
    await redriveLocal(localTargetOfTheEmulators(), new Date('2026-11-23T12:00:00Z'));

    // Assert
    const jobs = (await drain(emulators.queues.queueUrl)).map((body) => JobMessageSchema.parse(JSON.parse(body)));
    expect(jobs).toEqual([expect.objectContaining({ entryId: id, version: 2, revision: 3 })]);
  });

  it('is a no-op when nothing failed', async () => {
    const reset = await resetFailedEntries(documentClient, emulators.tableName, new Date());
    const moved = await receiveSendDelete(emulators.sqs, emulators.queues.deadLetterQueueUrl, emulators.queues.queueUrl)(() => {});

    expect({ reset, moved }).toEqual({ reset: 0, moved: 0 });
  });
});
