import { EXTRACTION_SERVICE_VERSION } from '../../lambdas/tag-extraction/version.js';
import { PurgeQueueCommand, ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEntryStore } from '../../lambdas/devlog-api/adapters/dynamodb-entry-store.js';
import type { Entry } from '../../lambdas/devlog-api/domain/entry.js';
import { jobMessageFor, QUEUE_SETTINGS } from '../../lambdas/contract/index.js';
import { fakeLambdaContext } from '../../local/lambda-context.js';
import { startSqsPoller, toSqsRecord, type SqsHandler, type SqsPoller } from '../../local/sqs-poller.js';
import { type ModelServer, startModelServer } from '../../tools/tag-extraction/model-server/index.js';
import { eventually, handlersFor, startTestEmulators, TEST_OPENAI_KEY, type TestEmulators } from './support/emulators.js';

/*
 * The extraction handler, unchanged, against the emulators through the real SDK, with a
 * scripted OpenAI-compatible server: its API key comes from the local Secrets Manager, jobs
 * arrive as real SQS messages, and results land in the table.
 */

const SEED =
  'Heute habe ich eine Anwendung mit Django geschrieben, die Daten nach Elasticsearch schreibt, und sie auf ImaginaryNoneExistence Cloud deployed.';
const FAILING = 'Dieser Eintrag bringt das Modell immer zum Absturz (always-fails).';

let emulators: TestEmulators;
let model: ModelServer;
let built: ReturnType<typeof handlersFor>;
let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
let entries: DynamoDbEntryStore;
let poller: SqsPoller | undefined;
const newId = monotonicFactory();

beforeAll(async () => {
  [emulators, model] = await Promise.all([
    startTestEmulators({ visibilityTimeoutSeconds: 2 }),
    startModelServer({
      answer: ({ entry }) =>
        entry.includes('always-fails')
          ? { status: 500, error: { message: 'scripted outage', type: 'server_error' } }
          : // The model names one technology the text does not contain: it must be dropped.
            {
              technologies: ['Django', 'Elasticsearch', 'ImaginaryNoneExistence Cloud', 'Kubernetes'].filter(
                (name) => name === 'Kubernetes' || entry.includes(name),
              ),
              model: 'scripted-model',
            },
    }),
  ]);
  built = handlersFor(emulators, { OPENAI_BASE_URL: model.baseUrl, OPENAI_TIMEOUT_MS: '5000' });
  handler = built.handlers.extraction;
  entries = new DynamoDbEntryStore(emulators.documents, emulators.tableName);
});

afterEach(async () => {
  await poller?.stop();
  poller = undefined;
});

afterAll(async () => {
  built?.destroy();
  await Promise.allSettled([emulators?.stop(), model?.stop()]);
});

/** Stores a pending entry as the API would and returns it. */
async function pendingEntry(text: string, ownerId = 'extraction-user'): Promise<Entry> {
  const now = new Date().toISOString();
  const entry: Entry = { id: newId(), ownerId, entry: text, status: 'pending', tags: [], revision: 1, createdAt: now, updatedAt: now };
  await entries.create(entry);
  return entry;
}

async function sendJob(body: string, queueUrl = emulators.queues.queueUrl): Promise<void> {
  await emulators.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}

const jobFor = (entry: Entry) => JSON.stringify(jobMessageFor(entry, new Date()));

/** Receives exactly `count` messages from the jobs queue as Lambda records. */
async function receiveRecords(count: number): Promise<SQSRecord[]> {
  const messages: Message[] = [];
  while (messages.length < count) {
    const { Messages = [] } = await emulators.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: emulators.queues.queueUrl,
        MaxNumberOfMessages: count - messages.length,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    messages.push(...Messages);
  }
  return messages.map((message) => toSqsRecord(message, emulators.queues.queueArn, 'us-east-1'));
}

const invoke = (records: SQSRecord[]) => handler({ Records: records }, fakeLambdaContext('tag-extraction', 60));

const requestsFor = (text: string) => model.requests.filter((request) => request.entry === text).length;

/** Waits up to `timeoutMs` until the stored entry has `status`, and returns it. */
function entryWithStatus(entry: Entry, status: Entry['status'], timeoutMs: number, what: string): Promise<Entry> {
  return eventually(
    async () => {
      const current = await entries.get(entry.ownerId, entry.id);
      return current?.status === status ? current : undefined;
    },
    timeoutMs,
    what,
  );
}

function runPoller(): void {
  poller = startSqsPoller({
    client: emulators.sqs,
    queueUrl: emulators.queues.queueUrl,
    queueArn: emulators.queues.queueArn,
    handler: handler as SqsHandler,
    maxBatchingWindowSeconds: 0,
    // Short polls: a stopped poller's pending long poll would still take the next test's job.
    waitTimeSeconds: 0,
    log: () => {},
  });
}

describe('extraction through the poller', () => {
  it('tags the seed entry with what the text names, drops a hallucinated tag, and reads the key from Secrets Manager', async () => {
    const entry = await pendingEntry(SEED);
    runPoller();

    await sendJob(jobFor(entry));
    const done = await entryWithStatus(entry, 'done', 10_000, 'the entry to be tagged');

    expect(done.tags).toEqual([
      { type: 'tech-stack', value: 'Django' },
      { type: 'tech-stack', value: 'Elasticsearch' },
      { type: 'tech-stack', value: 'ImaginaryNoneExistence Cloud' },
    ]);
    expect(done).toMatchObject({ model: 'scripted-model', promptVersion: 1, extractorVersion: EXTRACTION_SERVICE_VERSION });
    const request = model.requests.find((candidate) => candidate.entry === SEED);
    expect(request?.headers.authorization).toBe(`Bearer ${TEST_OPENAI_KEY}`);
    expect(request?.body).toMatchObject({ response_format: { type: 'json_schema' } });
    expect(emulators.secrets.requestCount).toBeGreaterThanOrEqual(1);
  });

  it(`marks the entry failed and moves the job to the DLQ after ${QUEUE_SETTINGS.maxReceiveCount} failed receives`, async () => {
    const entry = await pendingEntry(FAILING);
    runPoller();

    await sendJob(jobFor(entry));
    const failed = await entryWithStatus(entry, 'failed', 20_000, 'the entry to be marked failed');
    const dead = await eventually(
      async () => {
        const { Messages = [] } = await emulators.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: emulators.queues.deadLetterQueueUrl, WaitTimeSeconds: 1 }),
        );
        return Messages[0];
      },
      10_000,
      'the job in the DLQ',
    );

    expect(failed.error).toBe('model-unavailable');
    expect(JSON.parse(dead.Body ?? '{}')).toMatchObject({ entryId: entry.id });
    expect(requestsFor(FAILING)).toBe(QUEUE_SETTINGS.maxReceiveCount);
  }, 40_000);
});

describe('batches handed to the handler directly', () => {
  it('reports exactly the failed records of a batch and processes the others', async () => {
    const good = await pendingEntry(`${SEED} Nochmal.`);
    const failing = await pendingEntry(`${FAILING} Zwei.`);
    await sendJob(jobFor(good));
    await sendJob('{"version":1,');
    await sendJob(jobFor(failing));
    const records = await receiveRecords(3);

    const response = await invoke(records);

    const idOf = (match: (body: string) => boolean) => records.find((record) => match(record.body))?.messageId;
    const failedIds = response.batchItemFailures.map(({ itemIdentifier }) => itemIdentifier).sort();
    expect(failedIds).toEqual([idOf((body) => body === '{"version":1,'), idOf((body) => body.includes(failing.id))].sort());
    expect((await entries.get(good.ownerId, good.id))?.status).toBe('done');
    expect((await entries.get(failing.ownerId, failing.id))?.status).toBe('pending');
    // The failed two would come back to the next test. (fauxqs ignores a delete once the
    // handler has made a message visible again, so purge.)
    await emulators.sqs.send(new PurgeQueueCommand({ QueueUrl: emulators.queues.queueUrl }));
  });

  it('tags an entry once when its job is delivered twice, and skips the second before calling the model', async () => {
    const entry = await pendingEntry(`${SEED} Doppelt geliefert.`);
    await sendJob(jobFor(entry));
    await sendJob(jobFor(entry));
    const [first, second] = await receiveRecords(2);

    const firstResponse = await invoke([first!]);
    const afterFirst = await entries.get(entry.ownerId, entry.id);
    const secondResponse = await invoke([second!]);
    const afterSecond = await entries.get(entry.ownerId, entry.id);

    expect(firstResponse.batchItemFailures).toEqual([]);
    expect(secondResponse.batchItemFailures).toEqual([]);
    expect(afterFirst?.status).toBe('done');
    expect(afterSecond).toEqual(afterFirst);
    expect(requestsFor(entry.entry)).toBe(1);
  });

  it('writes the tags once when both copies of a job arrive in the same batch', async () => {
    const entry = await pendingEntry(`${SEED} Gleichzeitig.`);
    await sendJob(jobFor(entry));
    await sendJob(jobFor(entry));
    const records = await receiveRecords(2);

    const response = await invoke(records);

    const stored = await entries.get(entry.ownerId, entry.id);
    expect(response.batchItemFailures).toEqual([]);
    expect(stored?.status).toBe('done');
    expect(stored?.tags.map((tag) => tag.value)).toEqual(['Django', 'Elasticsearch', 'ImaginaryNoneExistence Cloud']);
  });
});
