import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoDbEntryStore } from '../../lambdas/devlog-api/adapters/dynamodb-entry-store.js';
import type { Entry } from '../../lambdas/devlog-api/domain/entry.js';
import { jobMessageFor } from '../../lambdas/contract/index.js';
import { fakeLambdaContext } from '../../local/lambda-context.js';
import { eventually, handlersFor, startTestEmulators, type TestEmulators } from '../integration/support/emulators.js';
import { type ModelServer, startModelServer } from '../../tools/tag-extraction/model-server/index.js';
import { sqsRecord } from '../unit/support/sqs-records.js';

/*
 * The local poller, like the SQS event source mapping with maxConcurrency, runs several
 * invocations of the extraction handler at once, and locally they share one module instance
 * (as they do on Lambda Managed Instances with multi-concurrency). A record that failed in one
 * invocation must be reported failed by that invocation whatever the others do: a failure
 * reported as success makes the poller delete the message, and its job is gone.
 */

let emulators: TestEmulators;
let model: ModelServer;
/** Holds the model's answer to the slow entry until batch B has finished. */
const slowAnswer = Promise.withResolvers<void>();
let built: ReturnType<typeof handlersFor>;
let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
let entries: DynamoDbEntryStore;
const newId = monotonicFactory();

beforeAll(async () => {
  [emulators, model] = await Promise.all([
    startTestEmulators(),
    startModelServer({
      answer: async ({ entry }) => {
        if (entry.includes('refused')) return { status: 400, error: { message: 'scripted permanent rejection' } };
        if (entry.includes('slow')) await slowAnswer.promise;
        return { technologies: ['Django'] };
      },
    }),
  ]);
  built = handlersFor(emulators, { OPENAI_BASE_URL: model.baseUrl, OPENAI_TIMEOUT_MS: '5000' });
  handler = built.handlers.extraction;
  entries = new DynamoDbEntryStore(emulators.documents, emulators.tableName);
});

afterAll(async () => {
  built?.destroy();
  await Promise.allSettled([emulators?.stop(), model?.stop()]);
});

async function pendingEntry(text: string): Promise<Entry> {
  const now = new Date().toISOString();
  const entry: Entry = {
    id: newId(),
    ownerId: 'concurrent-user',
    entry: text,
    status: 'pending',
    tags: [],
    revision: 1,
    createdAt: now,
    updatedAt: now,
  };
  await entries.create(entry);
  return entry;
}

const recordFor = (entry: Entry, messageId: string) => sqsRecord(JSON.stringify(jobMessageFor(entry, new Date())), { messageId });

it('reports a failed record as failed although another invocation ran at the same time', async () => {
  // Arrange: batch A has a record the model rejects for good and one whose answer is held;
  // batch B starts after A's failure is recorded and finishes before A's held record does.
  const [refused, slow, other1, other2] = await Promise.all([
    pendingEntry('Django refused by the model'),
    pendingEntry('Django slow answer'),
    pendingEntry('Django in batch B, one'),
    pendingEntry('Django in batch B, two'),
  ]);
  const batchA = { Records: [recordFor(refused!, 'a-refused'), recordFor(slow!, 'a-slow')] };
  const batchB = { Records: [recordFor(other1!, 'b-1'), recordFor(other2!, 'b-2')] };

  // Act
  const responseA = handler(batchA, fakeLambdaContext('tag-extraction', 60));
  await eventually(
    async () => ((await entries.get(refused!.ownerId, refused!.id))?.status === 'failed' ? true : undefined),
    5_000,
    'the refused entry to be marked failed',
  );
  const responseB = await handler(batchB, fakeLambdaContext('tag-extraction', 60));
  slowAnswer.resolve();

  // Assert
  expect(responseB.batchItemFailures).toEqual([]);
  expect((await responseA).batchItemFailures).toEqual([{ itemIdentifier: 'a-refused' }]);
  expect((await entries.get(slow!.ownerId, slow!.id))?.status).toBe('done');
});
