import { DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { GetParameterCommand, ParameterNotFound, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as zod from 'zod';
import { entryKey, ENTRY_STATUS, formatAcceptedVersions, JobMessageSchema, type JobMessageVersion } from '../../lambdas/contract/index.js';
import { fakeLambdaContext } from '../../local/lambda-context.js';
import { toSqsRecord } from '../../local/sqs-poller.js';
import { startModelServer, type ModelServer } from '../../tools/tag-extraction/model-server/index.js';
import { readPublishedSchemas } from '../../tools/shared/contract-gate/published-schemas.js';
import type { AnswerBody } from '../support/api-client.js';
import { technologiesIn, vocabularyAnswer } from '../support/entries.js';
import { peekJobs } from '../support/queues.js';
import { handlersFor, startTestEmulators, type TestEmulators } from './support/emulators.js';
import { startTestApi, type TestApi } from './support/gateway.js';

/*
 * An edited entry (revision 2) ends `done` with the tags of its current text in both release
 * orders of the two teams and whatever the consumer's accepted-versions parameter holds. The
 * API, reconciler and consumer of this checkout run on the emulators; the API reads the
 * parameter through SSM (mocked). The "old consumer" is the one released before job message
 * version 2 (git show e319310~1: lambdas/tag-extraction/domain/extract-entry-tags.ts and
 * adapters/dynamodb-entry-tag-store.ts): it accepted exactly the published version 1 schema,
 * read the entry's text, skipped an entry done by its prompt version, and wrote tags and `done`
 * over a pending entry, knowing nothing of revisions.
 */

const PARAMETER = '/devlog-tags/test/extraction/accepted-job-message-versions';
const OLD_CONSUMER_PROMPT_VERSION = 1;
const publishedV1 = zod.fromJSONSchema((await readPublishedSchemas()).get(1) ?? false);
const ssm = mockClient(SSMClient);

let emulators: TestEmulators;
let model: ModelServer;
let consumerHandlers: ReturnType<typeof handlersFor>;
let api: TestApi | undefined;

beforeAll(async () => {
  [emulators, model] = await Promise.all([startTestEmulators(), startModelServer({ answer: vocabularyAnswer })]);
  consumerHandlers = handlersFor(emulators, { OPENAI_BASE_URL: model.baseUrl, OPENAI_TIMEOUT_MS: '5000' });
});

beforeEach(() => {
  ssm.reset();
});

afterAll(async () => {
  await api?.stop();
  consumerHandlers?.destroy();
  await Promise.allSettled([emulators?.stop(), model?.stop()]);
});

/** What the parameter answers. */
type ParameterState = { value: string } | { error: Error };

/**
 * What the parameter answers from now on, to every reader: the API and the reconciler each read
 * it when they are built, so a test switches it at a point of its own (after the API's first
 * read has answered a POST), never by counting reads.
 */
function parameterHolds(state: ParameterState): void {
  ssm.on(GetParameterCommand, { Name: PARAMETER }).callsFake(async () => {
    if ('error' in state) throw state.error;
    return { Parameter: { Name: PARAMETER, Value: state.value } };
  });
}

const MISSING: ParameterState = { error: new ParameterNotFound({ message: 'not found', $metadata: {} }) };
const UNREADABLE: ParameterState = {
  error: new SSMServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400 },
  }),
};
const OLD_CONSUMER_PUBLISHED: ParameterState = { value: formatAcceptedVersions([1]) };
const NEW_CONSUMER_PUBLISHED: ParameterState = { value: formatAcceptedVersions([1, 2]) };

/** A fresh API function (a new container: its parameter cache starts empty). */
async function deployApi(): Promise<TestApi> {
  await api?.stop();
  api = await startTestApi(emulators, { CONSUMER_VERSIONS_PARAMETER: PARAMETER });
  return api;
}

async function call(user: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: AnswerBody }> {
  const response = await fetch(`${api!.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${await api!.tokenFor(user)}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as AnswerBody };
}

/** Processes one job record; true when it is acknowledged (deleted from the queue). */
type Consumer = (record: SQSRecord) => Promise<boolean>;

const newConsumer: Consumer = async (record) => {
  const { batchItemFailures } = await consumerHandlers.handlers.extraction({ Records: [record] }, fakeLambdaContext('tag-extraction', 60));
  return batchItemFailures.length === 0;
};

/** The consumer released before version 2, as it was (see the file's comment). */
const oldConsumer: Consumer = async (record) => {
  const job = publishedV1.safeParse(JSON.parse(record.body));
  if (!job.success) return false;
  const { ownerId, entryId } = job.data as { ownerId: string; entryId: string };
  const key = entryKey(ownerId, entryId);
  const { Item } = await emulators.documents.send(
    new GetCommand({
      TableName: emulators.tableName,
      Key: key,
      ConsistentRead: true,
      ProjectionExpression: '#entry, #status, promptVersion',
      ExpressionAttributeNames: { '#entry': 'entry', '#status': 'status' },
    }),
  );
  if (!Item || (Item.status === 'done' && (Item.promptVersion ?? 0) >= OLD_CONSUMER_PROMPT_VERSION)) return true;
  await emulators.documents
    .send(
      new UpdateCommand({
        TableName: emulators.tableName,
        Key: key,
        UpdateExpression:
          'SET #status = :done, tags = :tags, model = :model, promptVersion = :promptVersion, extractorVersion = :extractorVersion, updatedAt = :at REMOVE pendingBucket, failedBucket, #error',
        ConditionExpression:
          'attribute_exists(pk) AND (#status = :pending OR (#status = :done AND (attribute_not_exists(promptVersion) OR promptVersion < :promptVersion)))',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':done': 'done',
          ':pending': 'pending',
          ':tags': technologiesIn(String(Item.entry)).map((value) => ({ type: 'tech-stack', value })),
          ':model': 'old-consumer-model',
          ':promptVersion': OLD_CONSUMER_PROMPT_VERSION,
          ':extractorVersion': '1.0.0',
          ':at': new Date().toISOString(),
        },
      }),
    )
    .catch((error: Error) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
  return true;
};

/** Delivers every queued job to `consumer`, as the event source mapping would; the versions of the jobs delivered. */
async function deliverJobs(consumer: Consumer): Promise<JobMessageVersion[]> {
  const versions: JobMessageVersion[] = [];
  for (;;) {
    const { Messages = [] } = await emulators.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: emulators.queues.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return versions;
    for (const message of Messages as Message[]) {
      versions.push(JobMessageSchema.parse(JSON.parse(message.Body ?? '')).version);
      if (await consumer(toSqsRecord(message, emulators.queues.queueArn, 'us-east-1'))) {
        await emulators.sqs.send(new DeleteMessageCommand({ QueueUrl: emulators.queues.queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  }
}

async function post(user: string, text: string): Promise<string> {
  const posted = await call(user, 'POST', '/logs', { entry: text });
  expect(posted.status).toBe(202);
  return posted.body.id as string;
}

async function edit(user: string, id: string, text: string): Promise<void> {
  expect((await call(user, 'PATCH', `/logs/${id}`, { entry: text })).status).toBe(202);
}

async function entryOf(user: string, id: string): Promise<AnswerBody> {
  return (await call(user, 'GET', `/logs/${id}`)).body;
}

const tagsOf = (entry: AnswerBody) => (entry.tags as { value: string }[]).map((tag) => tag.value);

describe('an edited entry ends done with the tags of its current text', () => {
  it('new API before new consumer: the old consumer tags an edit, and the new one the edit whose version 1 job it inherits', async () => {
    // Arrange: the old consumer is deployed and has published "1"; the new API is deployed
    parameterHolds(OLD_CONSUMER_PUBLISHED);
    await deployApi();
    const id = await post('order-api-first', '[api-first] Ein Dienst mit Django.');
    parameterHolds(NEW_CONSUMER_PUBLISHED);
    const firstJobs = await deliverJobs(oldConsumer);
    await edit('order-api-first', id, '[api-first] Umgebaut auf Kafka und Redis.');
    const editJobs = await deliverJobs(oldConsumer);
    const taggedByOld = await entryOf('order-api-first', id);

    // Act: an edit while the old consumer runs, whose job the new consumer (now published) receives
    await edit('order-api-first', id, '[api-first] Doch lieber Rust und PostgreSQL.');
    const inheritedJobs = await deliverJobs(newConsumer);

    // Assert
    expect([...firstJobs, ...editJobs, ...inheritedJobs]).toEqual([1, 1, 1]);
    expect(taggedByOld).toMatchObject({ status: 'done', revision: 2 });
    expect(tagsOf(taggedByOld)).toEqual(['Kafka', 'Redis']);
    const current = await entryOf('order-api-first', id);
    expect(current).toMatchObject({ status: 'done', revision: 3, entry: '[api-first] Doch lieber Rust und PostgreSQL.' });
    expect(tagsOf(current)).toEqual(['Rust', 'PostgreSQL']);
  });

  it('new consumer before new API: an edit through an API that read the old consumer\'s "1" before the new one published is tagged', async () => {
    // Arrange: the API's container read "1" (the old consumer's); the new consumer has since published "1,2"
    parameterHolds(OLD_CONSUMER_PUBLISHED);
    await deployApi();
    const id = await post('order-consumer-first', '[consumer-first] Mit Terraform.');
    parameterHolds(NEW_CONSUMER_PUBLISHED);
    await deliverJobs(newConsumer);

    // Act
    await edit('order-consumer-first', id, '[consumer-first] Jetzt mit Docker und Svelte.');
    const versions = await deliverJobs(newConsumer);

    // Assert
    expect(versions).toEqual([1]);
    const current = await entryOf('order-consumer-first', id);
    expect(current).toMatchObject({ status: 'done', revision: 2 });
    expect(tagsOf(current)).toEqual(['Docker', 'Svelte']);
  });

  it.each<[string, ParameterState]>([
    ['missing', MISSING],
    ['malformed', { value: 'two, three' }],
    ['unreadable', UNREADABLE],
    ['an old value', OLD_CONSUMER_PUBLISHED],
  ])('the parameter %s: the edit is tagged', async (name, state) => {
    // Arrange
    parameterHolds(state);
    await deployApi();
    const user = `parameter-${name.replaceAll(' ', '-')}`;
    const id = await post(user, `[${user}] Mit Kubernetes.`);
    await deliverJobs(newConsumer);

    // Act
    await edit(user, id, `[${user}] Ersetzt durch GraphQL und DynamoDB.`);
    await deliverJobs(newConsumer);

    // Assert
    const current = await entryOf(user, id);
    expect(current).toMatchObject({ status: 'done', revision: 2 });
    expect(tagsOf(current)).toEqual(['GraphQL', 'DynamoDB']);
    expect(await peekJobs(emulators.sqs, emulators.queues.deadLetterQueueUrl)).toEqual([]);
  });

  it('an edit whose job was lost is re-sent by the reconciler while the parameter is unreadable, and tagged', async () => {
    // Arrange: the edit's job is lost, and its send time is older than the reconciler's grace
    parameterHolds(UNREADABLE);
    await deployApi();
    const user = 'reconciled-edit';
    const id = await post(user, `[${user}] Mit React.`);
    await deliverJobs(newConsumer);
    await edit(user, id, `[${user}] Nun mit TypeScript und Elasticsearch.`);
    await deliverJobs(async () => true);
    await emulators.documents.send(
      new UpdateCommand({
        TableName: emulators.tableName,
        Key: entryKey(user, id),
        UpdateExpression: 'SET enqueuedAt = :longAgo',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':longAgo': '2026-01-01T00:00:00.000Z', ':pending': ENTRY_STATUS.pending },
      }),
    );
    const reconciler = handlersFor(emulators, { CONSUMER_VERSIONS_PARAMETER: PARAMETER });

    // Act
    let report: Awaited<ReturnType<typeof reconciler.handlers.reconciler>>;
    try {
      report = await reconciler.handlers.reconciler({}, fakeLambdaContext('devlog-reconciler', 120));
    } finally {
      reconciler.destroy();
    }
    const versions = await deliverJobs(newConsumer);

    // Assert
    expect(report).toMatchObject({ resent: 1, mostResendsOfOneEntry: 1 });
    expect(versions).toEqual([1]);
    const current = await entryOf(user, id);
    expect(current).toMatchObject({ status: 'done', revision: 2 });
    expect(tagsOf(current)).toEqual(['TypeScript', 'Elasticsearch']);
  });
});
