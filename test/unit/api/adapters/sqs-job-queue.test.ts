import 'aws-sdk-client-mock-vitest/extend';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqsJobQueue } from '../../../../lambdas/devlog-api/adapters/sqs-job-queue.js';
import type { Entry } from '../../../../lambdas/devlog-api/domain/entry.js';
import { JobMessageSchema } from '../../../../lambdas/contract/index.js';

const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/jobs';
const sqs = mockClient(SQSClient);
const clock = { now: () => new Date('2026-11-23T10:00:05.000Z') };
const queue = new SqsJobQueue(new SQSClient({ region: 'eu-central-1' }), QUEUE_URL, clock, async () => 1);

const entry: Entry = {
  id: '01JDQ8Z6X4M1V9T3K7N2P5R8WA',
  ownerId: 'user-a',
  entry: 'Private text that must not travel through the queue',
  status: 'pending',
  tags: [],
  revision: 1,
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
};

beforeEach(() => {
  sqs.reset();
});

describe('SqsJobQueue', () => {
  it('sends one contract message naming the entry and its owner', async () => {
    // Arrange
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });

    // Act
    await queue.enqueue(entry);

    // Assert
    expect(sqs).toHaveReceivedCommandExactlyOnceWith(SendMessageCommand, { QueueUrl: QUEUE_URL });
    const body = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!);
    expect(JobMessageSchema.parse(body)).toEqual({
      version: 1,
      entryId: entry.id,
      ownerId: 'user-a',
      enqueuedAt: '2026-11-23T10:00:05.000Z',
    });
  });

  it('sends the version its source names, with the entry revision in version 2', async () => {
    // Arrange
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const v2Queue = new SqsJobQueue(new SQSClient({ region: 'eu-central-1' }), QUEUE_URL, clock, async () => 2);

    // Act
    await v2Queue.enqueue({ ...entry, revision: 4 } as Entry);

    // Assert
    const body = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!);
    expect(body).toEqual({ version: 2, entryId: entry.id, ownerId: 'user-a', enqueuedAt: '2026-11-23T10:00:05.000Z', revision: 4 });
  });

  it('keeps the entry text out of the message', async () => {
    // Arrange
    sqs.on(SendMessageCommand).resolves({});

    // Act
    await queue.enqueue(entry);

    // Assert
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody).not.toContain('Private');
  });

  it('fails when SQS does', async () => {
    // Arrange
    sqs.on(SendMessageCommand).rejects(new Error('AWS.SimpleQueueService.NonExistentQueue'));

    // Act
    const attempt = queue.enqueue(entry);

    // Assert
    await expect(attempt).rejects.toThrow('NonExistentQueue');
  });
});
