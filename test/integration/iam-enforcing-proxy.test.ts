import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEntryStore } from '../../lambdas/devlog-api/adapters/dynamodb-entry-store.js';
import { DynamoDbPendingEntries } from '../../lambdas/devlog-api/adapters/dynamodb-pending-entries.js';
import { PENDING_BUCKET } from '../../lambdas/contract/index.js';
import { startEnforcingProxy, type EnforcingProxy, type LocalIdentity } from '../../local/iam/enforcing-proxy.js';
import type { PolicyStatement } from '../../local/iam/policy.js';
import { closeServer, listenOnLoopback } from '../../local/http-server.js';
import { POLICY_RESOURCES, type PolicyFunction } from '../../local/iam/resources.js';
import { putEntryItem } from '../support/entry-items.js';
import { pendingEntry } from '../unit/support/fake-api-ports.js';
import { startTestEmulators, type TestEmulators } from './support/emulators.js';

/*
 * The enforcing proxies in front of the emulators, with each function's statements from the
 * committed policy file and its own access key: what the real SDK sees when a role lacks a
 * permission.
 */

const POLICIES = JSON.parse(readFileSync(new URL('../../local/iam/function-policies.json', import.meta.url), 'utf8')) as Record<
  PolicyFunction,
  PolicyStatement[]
>;
/** The reconciler's UpdateItem statement as it was before `status` was added. */
const RECONCILER_BEFORE_THE_FIX: PolicyStatement[] = POLICIES.reconciler.map((statement) =>
  statement.Action.includes('dynamodb:UpdateItem')
    ? { ...statement, Condition: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'enqueuedAt'] } } }
    : statement,
);

let emulators: TestEmulators;
let dynamoProxy: EnforcingProxy;
let sqsProxy: EnforcingProxy;

beforeAll(async () => {
  emulators = await startTestEmulators();
  const identities: Record<string, LocalIdentity> = {
    'local-api': { functionName: 'api', statements: POLICIES.api },
    'local-reconciler': { functionName: 'reconciler', statements: POLICIES.reconciler },
    'local-reconciler-before-fix': { functionName: 'reconciler', statements: RECONCILER_BEFORE_THE_FIX },
    'local-extraction': { functionName: 'extraction', statements: POLICIES.extraction },
  };
  const queues: Record<string, string> = {
    [emulators.queues.queueUrl]: POLICY_RESOURCES.jobsQueue,
    [emulators.queues.deadLetterQueueUrl]: POLICY_RESOURCES.deadLetterQueue,
  };
  [dynamoProxy, sqsProxy] = await Promise.all([
    startEnforcingProxy({
      service: 'dynamodb',
      targetEndpoint: emulators.dynamoDbEndpoint,
      identities,
      resourceArnOf: (name) =>
        name === emulators.tableName ? POLICY_RESOURCES.table : `arn:aws:dynamodb:local:000000000000:table/${name}`,
    }),
    startEnforcingProxy({
      service: 'sqs',
      targetEndpoint: emulators.sqsEndpoint,
      identities,
      resourceArnOf: (url) => queues[url] ?? `arn:aws:sqs:local:000000000000:${url}`,
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([dynamoProxy?.stop(), sqsProxy?.stop()]);
  await emulators?.stop();
});

const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: 'local' });
const documentsAs = (accessKeyId: string) =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: dynamoProxy.endpoint, region: 'us-east-1', credentials: credentials(accessKeyId), maxAttempts: 1 }),
  );
const sqsAs = (accessKeyId: string) =>
  new SQSClient({ endpoint: sqsProxy.endpoint, region: 'us-east-1', credentials: credentials(accessKeyId), maxAttempts: 1 });

const entry = (id: string) => pendingEntry({ id, ownerId: 'iam-owner' });

describe('the IAM-enforcing proxies', () => {
  it('let a function make the calls its role allows', async () => {
    const store = new DynamoDbEntryStore(documentsAs('local-api'), emulators.tableName);

    await expect(store.create(entry('01JDQ8Z6X4M1V9T3K7N2P5IAM0'))).resolves.toBe('created');
    await expect(store.get('iam-owner', '01JDQ8Z6X4M1V9T3K7N2P5IAM0')).resolves.toMatchObject({ entry: 'Used Django' });
  });

  it('deny a call the role does not allow like AWS: AccessDeniedException naming the action and resource', async () => {
    const extractionAsWriter = new DynamoDbEntryStore(documentsAs('local-extraction'), emulators.tableName);

    const attempt = extractionAsWriter.create(entry('01JDQ8Z6X4M1V9T3K7N2P5IAM1'));

    // A denied put surely stored nothing, so the store says so, with AWS's error as the cause.
    await expect(attempt).rejects.toMatchObject({
      name: 'EntryNotStoredError',
      cause: {
        name: 'AccessDeniedException',
        message: expect.stringContaining(`is not authorized to perform: dynamodb:PutItem on resource: ${POLICY_RESOURCES.table}`),
      },
    });
  });

  it("deny the reconciler's markResent under the policy without `status`, and allow it under the fixed one", async () => {
    const id = '01JDQ8Z6X4M1V9T3K7N2P5IAM2';
    await putEntryItem(emulators.documents, emulators.tableName, {
      id,
      ownerId: 'iam-owner',
      status: 'pending',
      updatedAt: '2026-01-01T00:00:00.000Z',
      pendingBucket: PENDING_BUCKET,
      enqueuedAt: '2026-01-01T00:00:00.000Z',
    });
    const before = new DynamoDbPendingEntries(documentsAs('local-reconciler-before-fix'), emulators.tableName);
    const after = new DynamoDbPendingEntries(documentsAs('local-reconciler'), emulators.tableName);

    await expect(before.markResent({ ownerId: 'iam-owner', id }, new Date())).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(after.markResent({ ownerId: 'iam-owner', id }, new Date())).resolves.toEqual({
      ownerId: 'iam-owner',
      id,
      revision: 1,
      pendingSince: new Date('2026-01-01T00:00:00.000Z'),
      resends: 1,
    });
    await expect(after.oldestSentAt()).resolves.toBeInstanceOf(Date);
  });

  it('deny an SQS call on a queue the role does not name, and allow the one it does', async () => {
    const sqs = sqsAs('local-extraction');

    await expect(sqs.send(new SendMessageCommand({ QueueUrl: emulators.queues.queueUrl, MessageBody: '{}' }))).resolves.toMatchObject({
      MessageId: expect.any(String),
    });
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: emulators.queues.deadLetterQueueUrl, MessageBody: '{}' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 }, message: expect.stringContaining('sqs:SendMessage') });
  });

  it('refuse credentials that belong to no function', async () => {
    const store = new DynamoDbEntryStore(documentsAs('someone-else'), emulators.tableName);

    await expect(store.get('iam-owner', '01JDQ8Z6X4M1V9T3K7N2P5IAM0')).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('end the call it forwarded when the caller gives up, so an aborted long poll cannot take a message or hold the emulator open', async () => {
    // A stand-in SQS that holds every ReceiveMessage, as a long poll on an empty queue does.
    const received = Promise.withResolvers<void>();
    const upstreamClosed = Promise.withResolvers<void>();
    const upstream = createServer((request) => {
      received.resolve();
      request.socket.on('close', () => upstreamClosed.resolve());
    });
    const upstreamPort = await listenOnLoopback(upstream);
    const proxy = await startEnforcingProxy({
      service: 'sqs',
      targetEndpoint: `http://127.0.0.1:${upstreamPort}`,
      identities: { 'local-extraction': { functionName: 'extraction', statements: POLICIES.extraction } },
      resourceArnOf: () => POLICY_RESOURCES.jobsQueue,
    });
    try {
      const sqs = new SQSClient({
        endpoint: proxy.endpoint,
        region: 'us-east-1',
        credentials: credentials('local-extraction'),
        maxAttempts: 1,
      });
      const abort = new AbortController();
      const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl: 'http://queue', WaitTimeSeconds: 20 }), { abortSignal: abort.signal });
      await received.promise;

      abort.abort();

      await expect(poll).rejects.toMatchObject({ name: 'AbortError' });
      await upstreamClosed.promise;
      sqs.destroy();
    } finally {
      upstream.closeAllConnections();
      await Promise.all([proxy.stop(), closeServer(upstream)]);
    }
  });
});
