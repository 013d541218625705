import { describe, expect, it } from 'vitest';
import {
  dynamoDbItemBytes,
  entryCapacityUnits,
  lambdaGbSeconds,
  priceUsage,
  usagePerEntry,
  writeUnits,
  strongReadUnits,
  costVerdict,
  type CostAssumptions,
  type CostMeasurements,
  type UsagePerEntry,
} from '../../../bench/cost.js';
import { entryItemsFromView } from '../../../bench/cost-inputs.js';
import type { PriceTable } from '../../../bench/prices.js';

/** Round unit prices so the expected dollars can be worked out by hand. */
const PRICES: PriceTable = {
  region: 'test-region',
  source: 'fixed test prices',
  asOf: 'test',
  httpApiPerMillionRequests: 1,
  lambdaArmPerGbSecond: 0.00001,
  lambdaPerMillionRequests: 0.2,
  sqsStandardPerMillionRequests: 0.4,
  dynamoDbPerMillionWriteUnits: 0.5,
  dynamoDbPerMillionReadUnits: 0.1,
  cloudWatchLogsIngestPerGb: 0.5,
  secretsManagerPer10kCalls: 0.05,
  xrayPerMillionTracesRecorded: 5,
  openAiGpt4oMiniInputPerMillionTokens: 0.15,
  openAiGpt4oMiniOutputPerMillionTokens: 0.6,
  monthly: { secretsManagerPerSecret: 0.4, cloudWatchAlarmStandard: 0.1, dynamoDbStoragePerGb: 0.25, dynamoDbPitrPerGb: 0.2 },
};

const NOTHING: UsagePerEntry = {
  httpApiRequests: 0,
  apiInvocations: 0,
  apiGbSeconds: 0,
  extractionInvocations: 0,
  extractionGbSeconds: 0,
  sqsRequests: 0,
  dynamoDbWriteUnits: 0,
  dynamoDbReadUnits: 0,
  logBytes: 0,
  secretsManagerCalls: 0,
  xrayTraces: 0,
  openAiInputTokens: 0,
  openAiOutputTokens: 0,
};

const usd = (breakdown: ReturnType<typeof priceUsage>, item: string) => breakdown.lines.find((line) => line.item === item)!.usd;

describe('priceUsage', () => {
  it('prices each dimension per 1M entries and keeps OpenAI out of the AWS total', () => {
    // Arrange
    const usage: UsagePerEntry = {
      ...NOTHING,
      httpApiRequests: 2,
      apiInvocations: 2,
      extractionInvocations: 0.1,
      apiGbSeconds: 0.02,
      extractionGbSeconds: 0.04,
      sqsRequests: 1.2,
      dynamoDbWriteUnits: 4,
      dynamoDbReadUnits: 2,
      logBytes: 2 ** 30 / 1_000_000,
      secretsManagerCalls: 0.01,
      xrayTraces: 0.1,
      openAiInputTokens: 300,
      openAiOutputTokens: 10,
    };

    // Act
    const bill = priceUsage(usage, PRICES);

    // Assert
    expect(usd(bill, 'API Gateway HTTP API requests')).toBeCloseTo(2, 9);
    expect(usd(bill, 'Lambda requests (API + extraction)')).toBeCloseTo(0.42, 9);
    expect(usd(bill, 'Lambda duration, API function')).toBeCloseTo(0.2, 9);
    expect(usd(bill, 'Lambda duration, extraction function')).toBeCloseTo(0.4, 9);
    expect(usd(bill, 'SQS requests')).toBeCloseTo(0.48, 9);
    expect(usd(bill, 'DynamoDB write request units')).toBeCloseTo(2, 9);
    expect(usd(bill, 'DynamoDB read request units')).toBeCloseTo(0.2, 9);
    expect(usd(bill, 'CloudWatch Logs ingestion')).toBeCloseTo(0.5, 9);
    expect(usd(bill, 'Secrets Manager API calls')).toBeCloseTo(0.05, 9);
    expect(usd(bill, 'X-Ray traces recorded')).toBeCloseTo(0.5, 9);
    expect(bill.awsUsd).toBeCloseTo(6.75, 9);
    expect(bill.openAiUsd).toBeCloseTo(45 + 6, 9);
    expect(bill.totalUsd).toBeCloseTo(57.75, 9);
  });

  it('scales linearly with the number of entries', () => {
    const usage = { ...NOTHING, httpApiRequests: 1 };
    expect(priceUsage(usage, PRICES, 2_000_000).awsUsd).toBeCloseTo(2 * priceUsage(usage, PRICES).awsUsd, 9);
  });

  it('passes the target at exactly $4 and fails above it', () => {
    const atTarget = priceUsage({ ...NOTHING, httpApiRequests: 4 }, PRICES);
    const above = priceUsage({ ...NOTHING, httpApiRequests: 4.01 }, PRICES);
    expect(costVerdict(atTarget, 'full batches').pass).toBe(true);
    expect(costVerdict(above, 'full batches').pass).toBe(false);
  });
});

describe('billing units', () => {
  it('rounds Lambda duration up to the millisecond and scales it by memory', () => {
    expect(lambdaGbSeconds(15.2, 1024)).toBeCloseTo(0.016, 12);
    expect(lambdaGbSeconds(500, 512)).toBeCloseTo(0.25, 12);
  });

  it('charges one WRU per started KB and one strong RRU per started 4 KB, at least one', () => {
    expect([writeUnits(0), writeUnits(1024), writeUnits(1025)]).toEqual([1, 1, 2]);
    expect([strongReadUnits(100), strongReadUnits(4096), strongReadUnits(4097)]).toEqual([1, 1, 2]);
  });

  it('sizes an item by DynamoDB\'s rules: names + UTF-8 strings, numbers by digits, 3 + 1 per element for lists and maps', () => {
    expect(dynamoDbItemBytes({ pk: 'OWNER#a' })).toBe(2 + 7);
    expect(dynamoDbItemBytes({ entry: 'Größe' })).toBe(5 + 7);
    expect(dynamoDbItemBytes({ n: 12345 })).toBe(1 + 4);
    expect(dynamoDbItemBytes({ tags: [] })).toBe(4 + 3);
    expect(dynamoDbItemBytes({ tags: [{ type: 'tech-stack', value: 'Go' }] })).toBe(4 + 3 + 1 + (3 + (1 + 4 + 10) + (1 + 5 + 2)));
  });
});

describe('entryCapacityUnits', () => {
  it('counts the index entry the pending item adds and its removal, and two idempotency writes', () => {
    // Arrange: a short entry, all items under 1 KB
    const view = {
      id: '01JD0000000000000000000000',
      entry: 'Heute Django und Postgres.',
      status: 'done',
      tags: [{ type: 'tech-stack', value: 'Django' }],
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:00:01.000Z',
      model: 'gpt-4o-mini',
      promptVersion: 1,
    };

    // Act
    const units = entryCapacityUnits([entryItemsFromView(view)]);

    // Assert
    expect(units).toMatchObject({ postWriteUnits: 2, idempotencyWriteUnits: 2, extractionWriteUnits: 2, extractionReadUnits: 1, getReadUnits: 1 });
  });

  it('charges two WRUs for the entry write of an item over 1 KB', () => {
    const view = { id: '01JD0000000000000000000000', entry: 'x'.repeat(1200), status: 'done', tags: [], createdAt: '2026-11-23T10:00:00.000Z', updatedAt: '2026-11-23T10:00:01.000Z', model: 'm', promptVersion: 1 };
    expect(entryCapacityUnits([entryItemsFromView(view)]).postWriteUnits).toBe(3);
  });
});

describe('usagePerEntry', () => {
  const measured: CostMeasurements = {
    apiPostMs: 20,
    apiGetMs: 5,
    extractionSingleRecordMs: 540,
    extractionFullBatchMs: 800,
    fullBatchSize: 10,
    modelLatencyMs: 500,
    apiLogBytesPerRequest: 0,
    apiLogLinesPerRequest: 0,
    extractionLogBytesPerEntry: 500,
    extractionLogLinesPerEntry: 1,
    emfBytesSingleRecord: 400,
    emfBytesFullBatch: 560,
    capacity: { postWriteUnits: 2, idempotencyWriteUnits: 2, extractionWriteUnits: 2, extractionReadUnits: 1, getReadUnits: 1, meanPendingItemBytes: 400, meanDoneItemBytes: 480 },
    inputTokensPerEntry: 320,
    outputTokensPerEntry: 10,
    retriesPerEntry: 0,
  };
  const assumptions: CostAssumptions = {
    getsPerEntry: 1,
    idempotencyKeyShare: 1,
    apiMemoryMb: 1024,
    extractionMemoryMb: 512,
    platformLogEventsPerInvocation: 2,
    platformLogBytesPerInvocation: 700,
    accessLogBytesPerRequest: 260,
    xraySampledShare: 0.05,
    secretsManagerCallsPerEntry: 0.01,
  };

  it('shares a full batch\'s invocation, receive and delete among its records', () => {
    const usage = usagePerEntry(measured, assumptions, 'full batches');
    expect(usage).toMatchObject({ httpApiRequests: 2, apiInvocations: 2, extractionInvocations: 0.1, dynamoDbWriteUnits: 6, dynamoDbReadUnits: 2 });
    expect(usage.sqsRequests).toBeCloseTo(1.2, 12);
    expect(usage.apiGbSeconds).toBeCloseTo(0.025, 12);
    expect(usage.extractionGbSeconds).toBeCloseTo(0.04, 12);
    expect(usage.xrayTraces).toBeCloseTo(0.105, 12);
    // API: 2 x (700 + 2 x 26 platform + 260 + 26 access); extraction: 500 + 26 + (560 + 26 + 700 + 52) / 10
    expect(usage.logBytes).toBeCloseTo(2 * (700 + 52 + 286) + 526 + 133.8, 9);
  });

  it('pays a whole invocation, receive and delete per entry when every batch holds one record', () => {
    const usage = usagePerEntry(measured, assumptions, 'single-record batches');
    expect(usage.extractionInvocations).toBe(1);
    expect(usage.sqsRequests).toBe(3);
    expect(usage.extractionGbSeconds).toBeCloseTo(0.27, 12);
  });

  it('adds another model call, read and receive for each retry', () => {
    const usage = usagePerEntry({ ...measured, retriesPerEntry: 0.5 }, assumptions, 'single-record batches');
    expect(usage.openAiInputTokens).toBe(480);
    expect(usage.dynamoDbReadUnits).toBe(2.5);
    expect(usage.sqsRequests).toBe(3 + 0.5 * 3);
  });
});
