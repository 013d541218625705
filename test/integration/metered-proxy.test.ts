import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEntryStore } from '../../lambdas/devlog-api/adapters/dynamodb-entry-store.js';
import { ENTRY_TABLE, entryKey } from '../../lambdas/contract/index.js';
import { ENTRY_INDEX_PROJECTED_ATTRIBUTES } from '../../lib/shared/resource-settings.js';
import { entryTableIndexes } from '../../local/emulators/dynamodb.js';
import { type EnforcingProxy, startEnforcingProxy } from '../../local/iam/enforcing-proxy.js';
import type { PolicyStatement } from '../../local/iam/policy.js';
import { POLICY_RESOURCES, type PolicyFunction } from '../../local/iam/resources.js';
import { dynamoDbCallMeter, sqsCallMeter } from '../../local/metering/proxy-meters.js';
import { UsageMeter } from '../../local/metering/usage-meter.js';
import { startTestEmulators, type TestEmulators } from './support/emulators.js';

/*
 * The bench's bill counts what passes the enforcing proxies: each call the real SDK makes is
 * metered as AWS bills it, and the caller's answer is the one it would get without the meter.
 */

const POLICIES = JSON.parse(readFileSync(new URL('../../local/iam/function-policies.json', import.meta.url), 'utf8')) as Record<PolicyFunction, PolicyStatement[]>;

let emulators: TestEmulators;
let dynamoProxy: EnforcingProxy;
let sqsProxy: EnforcingProxy;
const meter = new UsageMeter();

beforeAll(async () => {
  emulators = await startTestEmulators();
  const identities = { 'local-api': { functionName: 'api', statements: POLICIES.api } };
  const table = { ...ENTRY_TABLE, indexes: entryTableIndexes().map((index) => ({ ...index, projectedAttributes: ENTRY_INDEX_PROJECTED_ATTRIBUTES })) };
  [dynamoProxy, sqsProxy] = await Promise.all([
    startEnforcingProxy({
      service: 'dynamodb',
      targetEndpoint: emulators.dynamoDbEndpoint,
      identities,
      resourceArnOf: () => POLICY_RESOURCES.table,
      meter: dynamoDbCallMeter(meter, { [emulators.tableName]: table }),
    }),
    startEnforcingProxy({ service: 'sqs', targetEndpoint: emulators.sqsEndpoint, identities, resourceArnOf: () => POLICY_RESOURCES.jobsQueue, meter: sqsCallMeter(meter) }),
  ]);
});

afterAll(async () => {
  await Promise.all([dynamoProxy?.stop(), sqsProxy?.stop()]);
  await emulators?.stop();
});

const credentials = { accessKeyId: 'local-api', secretAccessKey: 'local' };

function apiDocuments() {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamoProxy.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }));
}

const entry = (id: string) => ({
  id,
  ownerId: 'meter-owner',
  entry: 'Used Django',
  status: 'pending' as const,
  tags: [],
  revision: 1,
  createdAt: '2026-12-07T10:00:00.000Z',
  updatedAt: '2026-12-07T10:00:00.000Z',
});

describe('the metered enforcing proxies', () => {
  it('bill each call the code makes: a second write and a read show up as their units', async () => {
    // Arrange
    meter.reset();
    const client = apiDocuments();
    const store = new DynamoDbEntryStore(client, emulators.tableName);

    // Act
    await store.create(entry('01JEMETER0000000000000000A'));
    const afterOneWrite = meter.read().functions.api;
    await store.create(entry('01JEMETER0000000000000000B'));
    const read = await client.send(new GetCommand({ TableName: emulators.tableName, Key: entryKey('meter-owner', '01JEMETER0000000000000000B'), ConsistentRead: true }));

    // Assert
    const usage = meter.read().functions.api;
    expect(usage.calls['dynamodb:PutItem']).toBe(2);
    expect(usage.dynamoDbWriteUnits).toBe(2 * afterOneWrite.dynamoDbWriteUnits);
    expect(usage.dynamoDbReadUnits).toBe(1);
    // The meter asked for the consumed capacity; the caller, who did not, gets the answer without it.
    expect(read.Item).toMatchObject({ entry: 'Used Django' });
    expect(read.ConsumedCapacity).toBeUndefined();
    client.destroy();
  });

  it('bills a write whose condition failed, as DynamoDB does', async () => {
    // Arrange
    meter.reset();
    const client = apiDocuments();
    const store = new DynamoDbEntryStore(client, emulators.tableName);

    // Act: the entry exists, so the conditional create fails.
    await store.create(entry('01JEMETER0000000000000000A')).catch(() => undefined);

    // Assert
    expect(meter.read().functions.api.dynamoDbWriteUnits).toBe(1);
    client.destroy();
  });

  it('bills an SQS send per 64 KiB chunk', async () => {
    // Arrange
    meter.reset();
    const sqs = new SQSClient({ endpoint: sqsProxy.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

    // Act
    await sqs.send(new SendMessageCommand({ QueueUrl: emulators.queues.queueUrl, MessageBody: 'x'.repeat(100 * 1024) }));

    // Assert
    expect(meter.read().functions.api.sqsRequests).toBe(2);
    sqs.destroy();
  });
});
