import 'aws-sdk-client-mock-vitest/extend';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqsJobQueue } from '../../../lambdas/devlog-api/adapters/sqs-job-queue.js';
import { jobMessageGroupId, jobSendParameters, forwardedJobSendParameters } from '../../../lambdas/contract/index.js';
import { JOB_MESSAGE_FIXTURES } from '../../../lambdas/contract/fixtures/index.js';
import { SqsRetryScheduler } from '../../../lambdas/tag-extraction/adapters/sqs-retry-scheduler.js';
import { receiveSendDelete } from '../../../ops/dlq-movers.js';

/*
 * Fair queues tell tenants apart by MessageGroupId: a job sent without it is a tenant of its
 * own, and one user's burst delays everyone again. Every sender of jobs runs here against a
 * mocked SQS, and the sweep below fails when a new sender appears that this file does not run.
 */

const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/jobs';
const DLQ_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/jobs-dlq';
const sqs = mockClient(SQSClient);
const client = () => new SQSClient({ region: 'eu-central-1' });

/** Every message any SendMessage or SendMessageBatch call carried, with the group it was sent in. */
function sentMessages(): { body: string; groupId?: string }[] {
  const single = sqs
    .commandCalls(SendMessageCommand)
    .map((call) => ({ body: String(call.args[0].input.MessageBody), groupId: call.args[0].input.MessageGroupId }));
  const batched = sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) =>
      (call.args[0].input.Entries ?? []).map((entry) => ({ body: String(entry.MessageBody), groupId: entry.MessageGroupId })),
    );
  return [...single, ...batched];
}

/** Each message's group is its job's owner. */
function expectGroupedByOwner(expectedCount: number): void {
  const messages = sentMessages();
  expect(messages).toHaveLength(expectedCount);
  for (const message of messages) {
    const { ownerId } = JSON.parse(message.body) as { ownerId: string };
    expect(message.groupId).toBe(jobMessageGroupId(ownerId));
  }
}

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({});
  sqs
    .on(SendMessageBatchCommand)
    .callsFake((input: { Entries: { Id: string }[] }) => ({ Successful: input.Entries.map(({ Id }) => ({ Id })) }));
  sqs.on(DeleteMessageBatchCommand).resolves({});
});

describe('every sender of jobs names the owner as the message group', () => {
  it('the API and the reconciler (SqsJobQueue)', async () => {
    // Arrange
    const queue = new SqsJobQueue(client(), QUEUE_URL, { now: () => new Date('2026-12-01T10:00:00Z') }, async () => 2);

    // Act
    await queue.enqueue({ id: '01JDQ8Z6X4M1V9T3K7N2P5R8WA', ownerId: 'user-a', revision: 2 });
    await queue.enqueue({ id: '01JDQ8Z6X4M1V9T3K7N2P5R8WB', ownerId: 'user-b', revision: 1 });

    // Assert
    expectGroupedByOwner(2);
    expect(sentMessages().map((message) => message.groupId)).toEqual(['user-a', 'user-b']);
  });

  it("the extraction's deferral of a job it did not attempt", async () => {
    // Act
    await new SqsRetryScheduler(client(), QUEUE_URL).resendLater(JSON.stringify(JOB_MESSAGE_FIXTURES[2]), 30);

    // Assert
    expectGroupedByOwner(1);
  });

  it('the redrive of the DLQ', async () => {
    // Arrange
    const bodies = [JOB_MESSAGE_FIXTURES[1], { ...JOB_MESSAGE_FIXTURES[2], ownerId: 'user-b' }].map((job) => JSON.stringify(job));
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: bodies.map((Body, index) => ({ Body, ReceiptHandle: `r${index}` })) })
      .resolves({ Messages: [] });

    // Act
    const moved = await receiveSendDelete(client(), DLQ_URL, QUEUE_URL)(() => undefined);

    // Assert
    expect(moved).toBe(2);
    expectGroupedByOwner(2);
  });

  it('no other module sends SQS messages', async () => {
    // Arrange: the modules above, which build the commands; everything else sends through them.
    // The backfill sends nothing to the queue: it goes through OpenAI's Batch API.
    const covered = [
      'lambdas/devlog-api/adapters/sqs-job-queue.ts',
      'lambdas/tag-extraction/adapters/sqs-retry-scheduler.ts',
      'ops/dlq-movers.ts',
    ];
    const root = fileURLToPath(new URL('../../../', import.meta.url));

    // Act
    const senders: string[] = [];
    for (const folder of ['lambdas', 'ops', 'local', 'tools', 'bench', 'eval']) {
      for (const file of await readdir(path.join(root, folder), { recursive: true })) {
        if (!file.endsWith('.ts')) continue;
        const text = await readFile(path.join(root, folder, file), 'utf8');
        if (/new\s+SendMessage(Batch)?Command\s*\(/.test(text)) senders.push(`${folder}/${file}`);
      }
    }

    // Assert
    expect(senders.sort()).toEqual(covered.sort());
  });
});

describe('the message group of a job', () => {
  it('is the owner id as it is, when SQS accepts it as a group id', () => {
    expect(jobSendParameters(JOB_MESSAGE_FIXTURES[2] as never)).toEqual({
      MessageBody: JSON.stringify(JOB_MESSAGE_FIXTURES[2]),
      MessageGroupId: 'user-a',
    });
  });

  it('is a stable digest of an owner id SQS would refuse (over 128 characters, or outside printable ASCII)', () => {
    const long = 'x'.repeat(200);
    const accented = 'jörg@example.com';

    expect(jobMessageGroupId(long)).toMatch(/^[\x21-\x7e]{1,128}$/);
    expect(jobMessageGroupId(long)).toBe(jobMessageGroupId(long));
    expect(jobMessageGroupId(long)).not.toBe(jobMessageGroupId(`${long}y`));
    expect(jobMessageGroupId(accented)).toMatch(/^[\x21-\x7e]{1,128}$/);
  });

  it('of a forwarded body that is no job, is one group of its own, so the DLQ still drains', () => {
    expect(forwardedJobSendParameters('{"version":1,')).toEqual({ MessageBody: '{"version":1,', MessageGroupId: 'unreadable-job' });
  });
});
