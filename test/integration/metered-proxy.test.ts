import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billRun } from '../../bench/bill.js';
import { PRICES } from '../../bench/prices.js';
import { DynamoDbEntryStore } from '../../lambdas/devlog-api/adapters/dynamodb-entry-store.js';
import { DynamoDbPendingEntries } from '../../lambdas/devlog-api/adapters/dynamodb-pending-entries.js';
import { DynamoDbWaitSlots } from '../../lambdas/devlog-api/adapters/dynamodb-wait-slots.js';
import { entryKey } from '../../lambdas/contract/index.js';
import { FUNCTION_SETTINGS, SYSTEM_LOG_LEVEL } from '../../lib/shared/resource-settings.js';
import { startLocalEventBus } from '../../local/emulators/eventbridge.js';
import { type EnforcingProxy, startEnforcingProxy } from '../../local/iam/enforcing-proxy.js';
import type { PolicyStatement } from '../../local/iam/policy.js';
import { POLICY_RESOURCES, type PolicyFunction } from '../../local/iam/resources.js';
import { ENTRIES_BILLED_TABLE } from '../../local/metering/billed-tables.js';
import { dynamoDbCallMeter, sqsCallMeter } from '../../local/metering/proxy-meters.js';
import { UsageMeter } from '../../local/metering/usage-meter.js';
import { LOCAL_RESOURCES } from '../../local/settings.js';
import { pendingEntry } from '../unit/support/fake-api-ports.js';
import { lambdaContext } from '../unit/support/lambda-context.js';
import { entryItem, streamEvent, streamRecord } from '../unit/support/stream-records.js';
import { handlersFor, startTestEmulators, type TestEmulators } from './support/emulators.js';

/*
 * The bench's bill counts what passes the enforcing proxies: each call the real SDK makes is
 * metered as AWS bills it, and the caller's answer is the one it would get without the meter.
 */

const POLICIES = JSON.parse(readFileSync(new URL('../../local/iam/function-policies.json', import.meta.url), 'utf8')) as Record<
  PolicyFunction,
  PolicyStatement[]
>;

let emulators: TestEmulators;
let dynamoProxy: EnforcingProxy;
let sqsProxy: EnforcingProxy;
const meter = new UsageMeter();

beforeAll(async () => {
  emulators = await startTestEmulators();
  const identities = {
    'local-api': { functionName: 'api', statements: POLICIES.api },
    'local-reconciler': { functionName: 'reconciler', statements: POLICIES.reconciler },
  };
  [dynamoProxy, sqsProxy] = await Promise.all([
    startEnforcingProxy({
      service: 'dynamodb',
      targetEndpoint: emulators.dynamoDbEndpoint,
      identities,
      resourceArnOf: () => POLICY_RESOURCES.table,
      meter: dynamoDbCallMeter(meter, { [emulators.tableName]: ENTRIES_BILLED_TABLE }),
    }),
    startEnforcingProxy({
      service: 'sqs',
      targetEndpoint: emulators.sqsEndpoint,
      identities,
      resourceArnOf: () => POLICY_RESOURCES.jobsQueue,
      meter: sqsCallMeter(meter),
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([dynamoProxy?.stop(), sqsProxy?.stop()]);
  await emulators?.stop();
});

const credentials = { accessKeyId: 'local-api', secretAccessKey: 'local' };

function apiDocuments(signedAs = credentials) {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: dynamoProxy.endpoint, region: 'us-east-1', credentials: signedAs, maxAttempts: 1 }),
  );
}

const METER_DAY = '2026-12-07T10:00:00.000Z';
const entry = (id: string) => pendingEntry({ id, ownerId: 'meter-owner', createdAt: METER_DAY, updatedAt: METER_DAY });

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
    const read = await client.send(
      new GetCommand({ TableName: emulators.tableName, Key: entryKey('meter-owner', '01JEMETER0000000000000000B'), ConsistentRead: true }),
    );

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

describe('the calls added since the bill was written', () => {
  it("bill the API's wait-slot lease: a read and the two conditional writes of the slots item", async () => {
    // Arrange
    meter.reset();
    const client = apiDocuments();
    const slots = new DynamoDbWaitSlots(client, emulators.tableName, { now: () => new Date() }, 2);

    // Act
    const lease = await slots.acquire('meter-waiter', new Date(Date.now() + 20_000));
    await lease?.release();

    // Assert
    const usage = meter.read().functions.api;
    expect(usage.calls).toMatchObject({ 'dynamodb:GetItem': 1, 'dynamodb:UpdateItem': 2 });
    expect(usage.dynamoDbReadUnits).toBe(1);
    expect(usage.dynamoDbWriteUnits).toBe(2);
    client.destroy();
  });

  it("bill the reconciler's re-send bookkeeping under its role, with the pending index's writes", async () => {
    // Arrange
    const seeded = apiDocuments();
    const stored = entry('01JEMETER0000000000000000R');
    await new DynamoDbEntryStore(seeded, emulators.tableName).create(stored);
    meter.reset();
    const client = apiDocuments({ accessKeyId: 'local-reconciler', secretAccessKey: 'local' });

    // Act
    const resent = await new DynamoDbPendingEntries(client, emulators.tableName).markResent(
      { ownerId: 'meter-owner', id: stored.id },
      new Date('2026-12-07T10:10:00.000Z'),
    );

    // Assert: the send time is the pending index's sort key, so the index entry is deleted and put again.
    expect(resent?.resends).toBe(1);
    const usage = meter.read().functions.reconciler;
    expect(usage.calls).toMatchObject({ 'dynamodb:GetItem': 1, 'dynamodb:UpdateItem': 1 });
    expect(usage.dynamoDbReadUnits).toBe(1);
    expect(usage.dynamoDbWriteUnits).toBe(3);
    seeded.destroy();
    client.destroy();
  });
});

describe('the metered entry events publisher', () => {
  it('bills its invocation, its log lines and each event it puts on the bus', async () => {
    // Arrange
    const dir = await mkdtemp(path.join(tmpdir(), 'metered-events-'));
    const bus = await startLocalEventBus({ busName: LOCAL_RESOURCES.eventBusName, eventsFile: path.join(dir, 'events.jsonl') });
    const billed = new UsageMeter();
    const handlerLines: string[] = [];
    const { handlers, destroy } = handlersFor(
      emulators,
      {},
      { eventBridgeEndpoint: bus.endpoint, meter: billed, logLevel: 'INFO', handlerLog: (line) => handlerLines.push(line) },
    );
    const tagged = (id: string) =>
      streamRecord({
        oldItem: entryItem('meter-owner', id, []),
        newItem: entryItem('meter-owner', id, ['Django'], { revision: 1, updatedAt: '2026-12-07T10:00:01.000Z' }),
      });
    // An entry no retry can publish: the publisher logs it and goes on.
    const broken = streamRecord({
      oldItem: entryItem('meter-owner', 'not-a-ulid', []),
      newItem: entryItem('meter-owner', 'not-a-ulid', ['Go']),
    });

    try {
      // Act
      await handlers.entryEvents(
        streamEvent(tagged('01JEMETER0000000000000000E'), tagged('01JEMETER0000000000000000F'), broken),
        lambdaContext('entry-events'),
      );

      // Assert
      const usage = billed.read().functions.entryEvents;
      expect(usage.invocations).toBe(1);
      expect(usage.calls).toEqual({ 'events:PutEvents': 1 });
      expect(usage.eventBridgeEvents).toBe(2);
      // Its error line, with Lambda's own start and report lines (other functions log at their cold start).
      const publisherLines = handlerLines.filter((line) => (JSON.parse(line) as { service?: string }).service === 'devlog-entry-events');
      expect(publisherLines).toHaveLength(1);
      expect(usage.logEvents).toBe(publisherLines.length + (SYSTEM_LOG_LEVEL === 'INFO' ? 2 : 0));
      const memoryMb = Object.fromEntries(Object.entries(FUNCTION_SETTINGS).map(([name, settings]) => [name, settings.memoryMb])) as Record<
        keyof typeof FUNCTION_SETTINGS,
        number
      >;
      const bill = billRun(
        {
          entries: 2,
          reading: billed.read(),
          modelUsage: { requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0, byServiceTier: {} },
          model: {
            id: 'gpt-6-luna',
            price: {
              inputUsdPerMillionTokens: 0.1,
              cachedInputUsdPerMillionTokens: 0.01,
              outputUsdPerMillionTokens: 0.5,
              source: 'test',
              asOf: 'test',
            },
          },
          memoryMb,
          entriesPerSecond: 0.4,
        },
        PRICES,
      );
      expect(bill.byService.EventBridge).toBeCloseTo(1_000_000 * PRICES.eventBridgeCustomEvent.usd, 6);
      expect(bill.lines).toContainEqual(
        expect.objectContaining({ service: 'Lambda', spender: 'entryEvents', item: 'invocations', quantity: 500_000 }),
      );
    } finally {
      destroy();
      await bus.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
