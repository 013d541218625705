import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEntryStore } from '../../lambdas/devlog-api/adapters/dynamodb-entry-store.js';
import { jobMessageFor } from '../../lambdas/contract/index.js';
import type { ApiClient, EntryView } from '../support/api-client.js';
import { testEntries, type TestEntry, vocabularyAnswer } from '../support/entries.js';
import { useFaultSuiteStack } from './support/fault-suite-stack.js';
import type { ModelServer } from '../../tools/tag-extraction/model-server/index.js';
import { peekJobs } from '../support/queues.js';
import { waitFor } from '../support/wait.js';
import { pendingEntry } from '../unit/support/fake-api-ports.js';
import { waitForQueueDrained } from './support/settle.js';

/*
 * At-least-once, end to end: SQS may deliver a job twice (at the same time or much later) and
 * a client may retry a POST. A job delivered twice must tag its entry once; a retried POST
 * makes a second entry unless it carries the same Idempotency-Key, and the same key sent
 * concurrently must never make two.
 */

const stack = useFaultSuiteStack(10, {
  OPENAI_TIMEOUT_MS: '10000',
  // No reconciler re-sends here: every duplicate is one this test sends.
  RECONCILE_GRACE_SECONDS: '300',
});
let model: ModelServer;

beforeAll(() => {
  model = stack().model!;
});

/** Sends copies of the entry's job message to the jobs queue in one call, so they arrive together. */
async function sendJobCopies(entry: { id: string }, ownerId: string, copies: number): Promise<void> {
  const body = JSON.stringify(jobMessageFor({ id: entry.id, ownerId }, new Date()));
  await stack().ops.sqsClient.send(
    new SendMessageBatchCommand({
      QueueUrl: stack().ops.queueUrl,
      Entries: Array.from({ length: copies }, (_, index) => ({ Id: String(index), MessageBody: body })),
    }),
  );
}

async function waitUntilDone(client: ApiClient, id: string): Promise<EntryView> {
  return waitFor(
    async () => {
      const entry = await client.get(id);
      return entry?.status === 'done' ? entry : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 20, what: `entry ${id} to be done` },
  );
}

function oneEntry(run: string): TestEntry {
  return testEntries(1, run)[0]!;
}

describe('a job delivered twice', () => {
  it('at the same time: both copies may reach the model, but the tags are written once', async () => {
    // Arrange: an entry stored as the API stores it, without a job yet. The model holds the
    // first call until the second copy's call arrives, answers it, and answers the second
    // only after the first copy's tags are stored, so the second write comes strictly later.
    // Both calls are in flight together on every run: the consumer runs the records of a batch,
    // and its invocations, concurrently, so the held first call never blocks the second.
    const ownerId = 'duplicate-jobs-user';
    const client = await stack().client(ownerId);
    const { text, expectedTags } = oneEntry('concurrent-copies');
    const now = new Date().toISOString();
    const id = '01JDQ8Z6X4M1V9T3K7N2P5R8WA';
    await new DynamoDbEntryStore(stack().ops.documentClient, stack().ops.tableName).create(
      pendingEntry({ id, ownerId, entry: text, createdAt: now, updatedAt: now }),
    );
    const secondCallArrived = Promise.withResolvers<void>();
    let firstDone: EntryView | undefined;
    model.answer = async (request) => {
      const { entry, call } = request;
      if (entry !== text) return vocabularyAnswer(request);
      if (call === 1) {
        await secondCallArrived.promise;
      } else if (call === 2) {
        secondCallArrived.resolve();
        firstDone = await waitUntilDone(client, id);
      }
      return vocabularyAnswer(request);
    };

    // Act
    await sendJobCopies({ id }, ownerId, 2);
    const done = await waitUntilDone(client, id);
    await waitForQueueDrained(stack().ops, 20_000);
    model.answer = vocabularyAnswer;
    const final = await client.get(id);

    // Assert
    expect(model.requestsFor(text)).toBe(2);
    expect(firstDone).toEqual(done);
    expect(final).toEqual(done);
    expect(final?.tags.map((tag) => tag.value)).toEqual(expectedTags);
    expect(await peekJobs(stack().ops.sqsClient, stack().ops.dlqUrl)).toEqual([]);
  }, 40_000);

  it('later, even three more times: skipped before the model is called, the entry unchanged', async () => {
    // Arrange
    const ownerId = 'late-duplicates-user';
    const client = await stack().client(ownerId);
    const { text, expectedTags } = oneEntry('late-copies');
    const posted = await client.post(text);
    const done = await waitUntilDone(client, posted.body.id as string);
    await waitForQueueDrained(stack().ops, 10_000);

    // Act
    await sendJobCopies({ id: done.id }, ownerId, 3);
    await waitForQueueDrained(stack().ops, 10_000);
    const final = await client.get(done.id);

    // Assert
    expect(model.requestsFor(text)).toBe(1);
    expect(final).toEqual(done);
    expect(final?.tags.map((tag) => tag.value)).toEqual(expectedTags);
    expect(await peekJobs(stack().ops.sqsClient, stack().ops.dlqUrl)).toEqual([]);
  }, 40_000);
});

describe('a retried POST', () => {
  it('without an Idempotency-Key makes a second entry (by design), each tagged once', async () => {
    // Arrange
    const client = await stack().client('retry-without-key-user');
    const { text, expectedTags } = oneEntry('retry-without-key');

    // Act
    const first = await client.post(text);
    const second = await client.post(text);
    const entries = await Promise.all([waitUntilDone(client, first.body.id as string), waitUntilDone(client, second.body.id as string)]);

    // Assert
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(first.body.id).not.toBe(second.body.id);
    expect((await client.listAll()).map((entry) => entry.id).sort()).toEqual([first.body.id, second.body.id].sort());
    for (const entry of entries) expect(entry.tags.map((tag) => tag.value)).toEqual(expectedTags);
  });

  it('with the same Idempotency-Key makes one entry and replays the first answer', async () => {
    // Arrange
    const client = await stack().client('retry-with-key-user');
    const { text } = oneEntry('retry-with-key');
    const key = 'retry-with-key-0001';

    // Act
    const first = await client.post(text, { 'idempotency-key': key });
    const retry = await client.post(text, { 'idempotency-key': key });
    await waitUntilDone(client, first.body.id as string);
    const late = await client.post(text, { 'idempotency-key': key });

    // Assert
    expect([first.status, retry.status, late.status]).toEqual([202, 202, 202]);
    expect(retry.body).toEqual(first.body);
    expect(late.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await client.listAll()).map((entry) => entry.id)).toEqual([first.body.id]);
    expect(model.requestsFor(text)).toBe(1);
  });

  it('with the same Idempotency-Key sent 12 times at once makes exactly one entry; the others get 409 or the first answer', async () => {
    // Arrange
    const client = await stack().client('concurrent-key-user');
    const { text } = oneEntry('concurrent-key');
    const key = 'concurrent-key-0001';

    // Act
    const answers = await Promise.all(Array.from({ length: 12 }, () => client.post(text, { 'idempotency-key': key })));
    const listed = await client.listAll();
    const afterwards = await client.post(text, { 'idempotency-key': key });

    // Assert
    expect(listed).toHaveLength(1);
    const id = listed[0]!.id;
    for (const answer of answers) {
      expect([202, 409]).toContain(answer.status);
      if (answer.status === 202) expect(answer.body.id).toBe(id);
      if (answer.status === 409) expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
    expect(answers.filter((answer) => answer.status === 202).length).toBeGreaterThanOrEqual(1);
    expect(afterwards.status).toBe(202);
    expect(afterwards.body.id).toBe(id);
    await waitUntilDone(client, id);
    expect(await client.listAll()).toHaveLength(1);
  });
});
