import { describe, expect, it } from 'vitest';
import { billRun, CLOUDWATCH_EVENT_OVERHEAD_BYTES, sampledShare } from '../../../bench/bill.js';
import { PRICES } from '../../../bench/prices.js';
import { FUNCTION_SETTINGS } from '../../../lib/shared/resource-settings.js';
import { TECH_STACK_INDEX } from '../../../lambdas/devlog-api/adapters/tags-table.js';
import { techStackRank } from '../../../lambdas/devlog-api/domain/tech-stack.js';
import { TAGS_BILLED_TABLE } from '../../../local/metering/billed-tables.js';
import { type BilledTable, itemBytes, writeUnitsOf } from '../../../local/metering/dynamodb-units.js';
import { putEventsEntryBytes } from '../../../local/metering/eventbridge-meter.js';
import { UsageMeter } from '../../../local/metering/usage-meter.js';

const TABLE: BilledTable = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [{ partitionKey: 'pendingBucket', sortKey: 'enqueuedAt', projectedAttributes: ['id'] }],
};
const PENDING = {
  pk: { S: 'OWNER#a' },
  sk: { S: 'ENTRY#1' },
  id: { S: '1' },
  status: { S: 'pending' },
  pendingBucket: { S: 'pending' },
  enqueuedAt: { S: '2026-12-07' },
};
const { pendingBucket: _bucket, enqueuedAt: _at, ...withoutIndexKeys } = PENDING;
const DONE = { ...withoutIndexKeys, status: { S: 'done' } };
const MEMORY = Object.fromEntries(Object.entries(FUNCTION_SETTINGS).map(([name, settings]) => [name, settings.memoryMb])) as Record<
  keyof typeof FUNCTION_SETTINGS,
  number
>;
const NO_MODEL = { requests: 0, promptTokens: 0, completionTokens: 0, reasoningTokens: 0, byServiceTier: {} };
const LUNA = {
  id: 'gpt-6-luna',
  price: {
    inputUsdPerMillionTokens: 0.1,
    cachedInputUsdPerMillionTokens: 0.01,
    outputUsdPerMillionTokens: 0.5,
    flexFactor: 0.5,
    source: 'test',
    asOf: 'test',
  },
};

describe('DynamoDB units as AWS bills them', () => {
  it('sizes an item by its names and values (numbers by significant digits)', () => {
    expect(itemBytes({ ab: { S: 'xyz' }, n: { N: '12345' }, ok: { BOOL: true } })).toBe(2 + 3 + 1 + 4 + 2 + 1);
  });

  it('bills a write that puts an item into a sparse index one more unit, and one that removes it one more', () => {
    expect(writeUnitsOf(TABLE, undefined, PENDING)).toBe(2);
    expect(writeUnitsOf(TABLE, PENDING, DONE)).toBe(2);
    expect(writeUnitsOf({ ...TABLE, indexes: [] }, PENDING, DONE)).toBe(1);
  });

  it("bills a write whose condition failed by the item's size, without index writes", () => {
    expect(writeUnitsOf(TABLE, PENDING, PENDING, true)).toBe(1);
  });

  it('bills by the larger image, one unit per started KB', () => {
    const big = { ...DONE, entry: { S: 'x'.repeat(1500) } };
    expect(writeUnitsOf({ ...TABLE, indexes: [] }, DONE, big)).toBe(2);
  });
});

describe('the local tables as they bill', () => {
  const total = (count: number) => ({
    pk: { S: 'OWNER#a' },
    sk: { S: 'TECH#django' },
    value: { S: 'Django' },
    count: { N: String(count) },
    [TECH_STACK_INDEX.partitionKey]: { S: 'OWNER#a' },
    [TECH_STACK_INDEX.sortKey]: { S: techStackRank(count, '2026-12-07T00:00:00.000Z', 'django') },
  });

  it("bills the tags table's index by count: a new total is a put there, a count that moves its rank a delete and a put", () => {
    expect(writeUnitsOf(TAGS_BILLED_TABLE, undefined, total(1))).toBe(2);
    expect(writeUnitsOf(TAGS_BILLED_TABLE, total(1), total(2))).toBe(3);
  });
});

describe('the usage meter and the bill', () => {
  it('bills a call the code adds: one more PutItem per entry shows up as its write units', () => {
    // Arrange
    const before = new UsageMeter();
    before.dynamoDb('api', 'PutItem', { write: 2 });
    const after = new UsageMeter();
    after.dynamoDb('api', 'PutItem', { write: 2 });
    after.dynamoDb('api', 'PutItem', { write: 1 });
    const bill = (meter: UsageMeter) =>
      billRun({ entries: 1, reading: meter.read(), modelUsage: NO_MODEL, model: LUNA, memoryMb: MEMORY, entriesPerSecond: 0.4 }, PRICES);

    // Act
    const added = bill(after).awsUsdPerMillionEntries - bill(before).awsUsdPerMillionEntries;

    // Assert
    expect(added).toBeCloseTo(1_000_000 * PRICES.dynamoDbWriteUnit.usd, 6);
    expect(after.read().functions.api.calls['dynamodb:PutItem']).toBe(2);
  });

  it('counts SQS in 64 KiB chunks and leaves idle receives out of the per-entry bill', () => {
    // Arrange
    const meter = new UsageMeter();
    meter.sqs('api', 'SendMessage', 70 * 1024);
    meter.sqs('extraction', 'ReceiveMessage', 100, true);

    // Act
    const bill = billRun(
      { entries: 1, reading: meter.read(), modelUsage: NO_MODEL, model: LUNA, memoryMb: MEMORY, entriesPerSecond: 0.4 },
      PRICES,
    );

    // Assert
    expect(meter.read().functions.api.sqsRequests).toBe(2);
    expect(bill.byService.SQS).toBeCloseTo(2 * 1_000_000 * PRICES.sqsRequest.usd, 6);
  });

  it('bills the events put on the bus as EventBridge does: each 64 KB chunk of an entry is one event', () => {
    // Arrange
    const meter = new UsageMeter();
    meter.eventBridge('entryEvents', 'PutEvents', [900, 70 * 1024]);

    // Act
    const bill = billRun(
      { entries: 1, reading: meter.read(), modelUsage: NO_MODEL, model: LUNA, memoryMb: MEMORY, entriesPerSecond: 0.4 },
      PRICES,
    );

    // Assert
    expect(meter.read().functions.entryEvents.eventBridgeEvents).toBe(3);
    expect(bill.byService.EventBridge).toBeCloseTo(3 * 1_000_000 * PRICES.eventBridgeCustomEvent.usd, 6);
    expect(bill.byFunction.entryEvents).toBeCloseTo(bill.byService.EventBridge ?? 0, 6);
  });

  it('sizes a PutEvents entry as EventBridge does: Time 14 bytes, the strings in UTF-8', () => {
    const entry = { Time: new Date(), Source: 'devlog-tags', DetailType: 'EntryTagged', Detail: '{"text":"Größe"}', Resources: ['arn:x'] };

    expect(putEventsEntryBytes(entry)).toBe(14 + 11 + 11 + Buffer.byteLength('{"text":"Größe"}') + 5);
    expect(putEventsEntryBytes({ Source: 's', DetailType: 'd' })).toBe(2);
  });

  it("bills an invocation by its rounded-up duration at the function's memory, with Lambda's log events and their 26-byte overhead", () => {
    // Arrange
    const meter = new UsageMeter();
    meter.invocation('extraction', 99.2);
    const reading = meter.read().functions.extraction;

    // Act
    const bill = billRun(
      {
        entries: 1,
        reading: meter.read(),
        modelUsage: NO_MODEL,
        model: LUNA,
        memoryMb: { ...MEMORY, extraction: 512 },
        entriesPerSecond: 0.4,
      },
      PRICES,
    );

    // Assert
    expect(reading.billedMs).toBe(100);
    const duration = bill.lines.find((line) => line.spender === 'extraction' && line.item.startsWith('duration'));
    expect(duration?.quantity).toBeCloseTo(1_000_000 * 0.1 * 0.5, 6);
    const logs = bill.lines.find((line) => line.spender === 'extraction' && line.service === 'CloudWatch Logs');
    expect(logs?.quantity).toBeCloseTo((1_000_000 * (reading.logBytes + reading.logEvents * CLOUDWATCH_EVENT_OVERHEAD_BYTES)) / 2 ** 30, 9);
  });

  it("prices the model's tokens by the tier that served them: flex at half", () => {
    // Arrange
    const usage = {
      requests: 2,
      promptTokens: 600,
      completionTokens: 20,
      reasoningTokens: 0,
      byServiceTier: {
        flex: { requests: 1, promptTokens: 300, completionTokens: 10, reasoningTokens: 0 },
        default: { requests: 1, promptTokens: 300, completionTokens: 10, reasoningTokens: 0 },
      },
    };

    // Act
    const bill = billRun(
      { entries: 2, reading: new UsageMeter().read(), modelUsage: usage, model: LUNA, memoryMb: MEMORY, entriesPerSecond: 0.4 },
      PRICES,
    );

    // Assert: per entry 150 in + 5 out at flex, the same at standard.
    expect(bill.llmUsdPerMillionEntries).toBeCloseTo(150 * 0.05 + 5 * 0.25 + 150 * 0.1 + 5 * 0.5, 6);
  });

  it('samples every invocation for X-Ray below one a second, then 5% of the rest', () => {
    expect(sampledShare(0.8)).toBe(1);
    expect(sampledShare(21)).toBeCloseTo((1 + 0.05 * 20) / 21, 9);
  });
});
