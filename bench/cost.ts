import type { PriceTable } from './prices.js';
import { round } from './stats.js';

/*
 * The cost of 1M entries from what the bench measured (handler durations, log bytes, item
 * sizes, tokens) and a few stated assumptions (GETs per entry, sampling, platform log sizes).
 * Pure arithmetic, so the unit tests pin it down with a fixed price table.
 */

/** The AWS part of the cost of 1M entries must stay at or under this (USD). */
export const MAX_AWS_USD_PER_MILLION = 4;
const GIB = 2 ** 30;
/** CloudWatch Logs counts 26 bytes of overhead per log event in the size it ingests. */
export const CLOUDWATCH_EVENT_OVERHEAD_BYTES = 26;

/** What one entry uses of each billed dimension, on average. */
export interface UsagePerEntry {
  httpApiRequests: number;
  apiInvocations: number;
  apiGbSeconds: number;
  extractionInvocations: number;
  extractionGbSeconds: number;
  sqsRequests: number;
  dynamoDbWriteUnits: number;
  dynamoDbReadUnits: number;
  /** Log bytes as CloudWatch measures them (event overhead included). */
  logBytes: number;
  secretsManagerCalls: number;
  xrayTraces: number;
  openAiInputTokens: number;
  openAiOutputTokens: number;
}

/** One line of the bill. */
export interface CostLine {
  item: string;
  /** Units used by all entries of the run (e.g. requests for 1M entries). */
  quantity: number;
  unit: string;
  /** USD per unit. */
  unitPrice: number;
  usd: number;
  aws: boolean;
}

/** The bill for a number of entries. */
export interface CostBreakdown {
  entries: number;
  lines: CostLine[];
  awsUsd: number;
  openAiUsd: number;
  totalUsd: number;
}

/** Prices a per-entry usage for `entries` entries (1M by default). */
export function priceUsage(usage: UsagePerEntry, prices: PriceTable, entries = 1_000_000): CostBreakdown {
  const line = (item: string, perEntry: number, unit: string, unitPrice: number, aws = true): CostLine => {
    const quantity = perEntry * entries;
    return { item, quantity, unit, unitPrice, usd: quantity * unitPrice, aws };
  };
  const lines = [
    line('API Gateway HTTP API requests', usage.httpApiRequests, 'requests', prices.httpApiPerMillionRequests / 1e6),
    line('Lambda requests (API + extraction)', usage.apiInvocations + usage.extractionInvocations, 'requests', prices.lambdaPerMillionRequests / 1e6),
    line('Lambda duration, API function', usage.apiGbSeconds, 'GB-s', prices.lambdaArmPerGbSecond),
    line('Lambda duration, extraction function', usage.extractionGbSeconds, 'GB-s', prices.lambdaArmPerGbSecond),
    line('SQS requests', usage.sqsRequests, 'requests', prices.sqsStandardPerMillionRequests / 1e6),
    line('DynamoDB write request units', usage.dynamoDbWriteUnits, 'WRU', prices.dynamoDbPerMillionWriteUnits / 1e6),
    line('DynamoDB read request units', usage.dynamoDbReadUnits, 'RRU', prices.dynamoDbPerMillionReadUnits / 1e6),
    line('CloudWatch Logs ingestion', usage.logBytes / GIB, 'GB', prices.cloudWatchLogsIngestPerGb),
    line('Secrets Manager API calls', usage.secretsManagerCalls, 'calls', prices.secretsManagerPer10kCalls / 1e4),
    line('X-Ray traces recorded', usage.xrayTraces, 'traces', prices.xrayPerMillionTracesRecorded / 1e6),
    line('OpenAI gpt-4o-mini input tokens', usage.openAiInputTokens, 'tokens', prices.openAiGpt4oMiniInputPerMillionTokens / 1e6, false),
    line('OpenAI gpt-4o-mini output tokens', usage.openAiOutputTokens, 'tokens', prices.openAiGpt4oMiniOutputPerMillionTokens / 1e6, false),
  ];
  const awsUsd = lines.filter((entry) => entry.aws).reduce((sum, entry) => sum + entry.usd, 0);
  const openAiUsd = lines.filter((entry) => !entry.aws).reduce((sum, entry) => sum + entry.usd, 0);
  return { entries, lines, awsUsd, openAiUsd, totalUsd: awsUsd + openAiUsd };
}

/** Lambda bills duration rounded up to the millisecond, times the configured memory. */
export function lambdaGbSeconds(durationMs: number, memoryMb: number): number {
  return (Math.ceil(durationMs) / 1000) * (memoryMb / 1024);
}

/** DynamoDB write units of a write of an item of this size: one per started KB. */
export function writeUnits(itemBytes: number): number {
  return Math.max(1, Math.ceil(itemBytes / 1024));
}

/** DynamoDB read units of a strongly consistent read of an item of this size: one per started 4 KB. */
export function strongReadUnits(itemBytes: number): number {
  return Math.max(1, Math.ceil(itemBytes / 4096));
}

/**
 * The size DynamoDB bills for an item, by its documented rules: attribute names and string
 * values count their UTF-8 bytes, numbers about one byte per two significant digits plus one,
 * booleans and nulls one byte, lists and maps 3 bytes plus 1 per element (maps also count
 * their keys). Close enough to decide how many 1 KB write units an item takes.
 */
export function dynamoDbItemBytes(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => (value === undefined ? sum : sum + Buffer.byteLength(name) + valueBytes(value)), 0);
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') {
    const digits = String(Math.abs(value)).replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueBytes(element), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value as Record<string, unknown>).reduce((sum, [key, element]) => sum + 1 + Buffer.byteLength(key) + valueBytes(element), 0);
  }
  return 0;
}

/** What the bench measured that the cost depends on. */
export interface CostMeasurements {
  /** API handler time per POST and per GET, called directly one at a time (median, ms). */
  apiPostMs: number;
  apiGetMs: number;
  /** Extraction handler time of a 1-record batch and of a full batch (median, ms). */
  extractionSingleRecordMs: number;
  extractionFullBatchMs: number;
  fullBatchSize: number;
  /** Model latency the extraction timings were taken with (ms). */
  modelLatencyMs: number;
  /** Powertools log bytes and lines the handlers wrote. */
  apiLogBytesPerRequest: number;
  apiLogLinesPerRequest: number;
  extractionLogBytesPerEntry: number;
  extractionLogLinesPerEntry: number;
  /** Size of the EMF metrics blob one invocation prints, for 1 record and for a full batch. */
  emfBytesSingleRecord: number;
  emfBytesFullBatch: number;
  /** DynamoDB units per entry, from the measured item sizes (see entryCapacityUnits). */
  capacity: EntryCapacityUnits;
  /** Mean prompt and completion tokens per model call, as the model server counted them. */
  inputTokensPerEntry: number;
  outputTokensPerEntry: number;
  /** Retries (ChangeMessageVisibility + another receive and model call) per entry. */
  retriesPerEntry: number;
}

/** The stated assumptions of the cost model; each is printed with the result. */
export interface CostAssumptions {
  /** GET /logs/{id} calls per entry (the client reads the tagged entry this often). */
  getsPerEntry: number;
  /** Share of POSTs that carry an Idempotency-Key (two more writes each). */
  idempotencyKeyShare: number;
  apiMemoryMb: number;
  extractionMemoryMb: number;
  /** Lambda's own log events per invocation (platform.start, platform.report in JSON format). */
  platformLogEventsPerInvocation: number;
  platformLogBytesPerInvocation: number;
  /** One API Gateway access log line (the stack's JSON format with typical values). */
  accessLogBytesPerRequest: number;
  /** Share of requests X-Ray records (default rule: 1 per second + 5% of the rest). */
  xraySampledShare: number;
  /** GetSecretValue calls per entry (cached 5 min per container). */
  secretsManagerCallsPerEntry: number;
}

/** Defaults of the assumptions; each says why in the report. */
export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  getsPerEntry: 1,
  idempotencyKeyShare: 1,
  apiMemoryMb: 1024,
  extractionMemoryMb: 512,
  platformLogEventsPerInvocation: 2,
  platformLogBytesPerInvocation: 700,
  accessLogBytesPerRequest: 260,
  xraySampledShare: 0.05,
  // One warm extraction container re-reading the key every 5 minutes for a 30-day month.
  secretsManagerCallsPerEntry: (30 * 24 * 12) / 1_000_000,
};

/** DynamoDB capacity units per entry, split by who spends them. */
export interface EntryCapacityUnits {
  /** POST: the entry's PutItem + its pending-index entry. */
  postWriteUnits: number;
  /** POST with an Idempotency-Key: the claim's conditional PutItem + the completing UpdateItem. */
  idempotencyWriteUnits: number;
  /** Extraction: the conditional UpdateItem to done + removing the pending-index entry. */
  extractionWriteUnits: number;
  /** Extraction: the strongly consistent GetItem. */
  extractionReadUnits: number;
  /** One GET /logs/{id}: a strongly consistent GetItem of the tagged entry. */
  getReadUnits: number;
  meanPendingItemBytes: number;
  meanDoneItemBytes: number;
}

/** The items one entry writes, as stored (see lambdas/api/adapters and lambdas/extraction/adapters). */
export interface EntryItems {
  pending: Record<string, unknown>;
  done: Record<string, unknown>;
  pendingIndexEntry: Record<string, unknown>;
  idempotencyClaim: Record<string, unknown>;
  idempotencyCompleted: Record<string, unknown>;
}

/** Bytes DynamoDB adds to each index entry. */
const INDEX_ENTRY_OVERHEAD_BYTES = 100;

/**
 * Capacity units per entry, averaged over real items: a write costs one WRU per started KB of
 * the larger of the old and new item, and every write that adds or removes an index entry
 * costs the index another write.
 */
export function entryCapacityUnits(items: EntryItems[]): EntryCapacityUnits {
  if (items.length === 0) throw new Error('no items to size');
  const average = (unitsOf: (item: EntryItems) => number) => items.reduce((sum, item) => sum + unitsOf(item), 0) / items.length;
  const bytes = (item: Record<string, unknown>) => dynamoDbItemBytes(item);
  return {
    postWriteUnits: average((item) => writeUnits(bytes(item.pending)) + writeUnits(bytes(item.pendingIndexEntry) + INDEX_ENTRY_OVERHEAD_BYTES)),
    idempotencyWriteUnits: average(
      (item) => writeUnits(bytes(item.idempotencyClaim)) + writeUnits(Math.max(bytes(item.idempotencyClaim), bytes(item.idempotencyCompleted))),
    ),
    extractionWriteUnits: average(
      (item) => writeUnits(Math.max(bytes(item.pending), bytes(item.done))) + writeUnits(bytes(item.pendingIndexEntry) + INDEX_ENTRY_OVERHEAD_BYTES),
    ),
    extractionReadUnits: average((item) => strongReadUnits(bytes(item.pending))),
    getReadUnits: average((item) => strongReadUnits(bytes(item.done))),
    meanPendingItemBytes: average((item) => bytes(item.pending)),
    meanDoneItemBytes: average((item) => bytes(item.done)),
  };
}

/** How full the extraction's batches are: every entry alone, or full batches as in a backlog. */
export type Batching = 'single-record batches' | 'full batches';

/**
 * The usage of one entry: 1 POST + getsPerEntry GETs through the HTTP API and the API function,
 * one SendMessage, a share of a ReceiveMessage and a DeleteMessageBatch per batch, the
 * extraction's share of its invocation, DynamoDB units from real item sizes, logs, traces, tokens.
 */
export function usagePerEntry(measured: CostMeasurements, assumptions: CostAssumptions, batching: Batching): UsagePerEntry {
  const recordsPerInvocation = batching === 'full batches' ? measured.fullBatchSize : 1;
  const invocationMs = batching === 'full batches' ? measured.extractionFullBatchMs : measured.extractionSingleRecordMs;
  const emfBytes = batching === 'full batches' ? measured.emfBytesFullBatch : measured.emfBytesSingleRecord;
  const apiRequests = 1 + assumptions.getsPerEntry;
  const extractionInvocations = 1 / recordsPerInvocation;
  const { capacity } = measured;
  const overhead = CLOUDWATCH_EVENT_OVERHEAD_BYTES;

  const apiLogBytes =
    apiRequests *
    (measured.apiLogBytesPerRequest +
      measured.apiLogLinesPerRequest * overhead +
      assumptions.platformLogBytesPerInvocation +
      assumptions.platformLogEventsPerInvocation * overhead +
      assumptions.accessLogBytesPerRequest +
      overhead);
  const extractionLogBytes =
    measured.extractionLogBytesPerEntry +
    measured.extractionLogLinesPerEntry * overhead +
    extractionInvocations * (emfBytes + overhead + assumptions.platformLogBytesPerInvocation + assumptions.platformLogEventsPerInvocation * overhead);

  return {
    httpApiRequests: apiRequests,
    apiInvocations: apiRequests,
    apiGbSeconds:
      lambdaGbSeconds(measured.apiPostMs, assumptions.apiMemoryMb) + assumptions.getsPerEntry * lambdaGbSeconds(measured.apiGetMs, assumptions.apiMemoryMb),
    extractionInvocations: extractionInvocations * (1 + measured.retriesPerEntry),
    extractionGbSeconds: extractionInvocations * lambdaGbSeconds(invocationMs, assumptions.extractionMemoryMb) * (1 + measured.retriesPerEntry),
    // SendMessage + (ReceiveMessage + DeleteMessageBatch) per batch + ChangeMessageVisibility per retry.
    sqsRequests: 1 + 2 * extractionInvocations + measured.retriesPerEntry * (1 + 2 * extractionInvocations),
    dynamoDbWriteUnits: capacity.postWriteUnits + assumptions.idempotencyKeyShare * capacity.idempotencyWriteUnits + capacity.extractionWriteUnits,
    dynamoDbReadUnits: capacity.extractionReadUnits * (1 + measured.retriesPerEntry) + assumptions.getsPerEntry * capacity.getReadUnits,
    logBytes: apiLogBytes + extractionLogBytes,
    secretsManagerCalls: assumptions.secretsManagerCallsPerEntry,
    xrayTraces: assumptions.xraySampledShare * (apiRequests + extractionInvocations),
    openAiInputTokens: measured.inputTokensPerEntry * (1 + measured.retriesPerEntry),
    openAiOutputTokens: measured.outputTokensPerEntry * (1 + measured.retriesPerEntry),
  };
}

/** Pass/fail of the AWS part against the target. */
export function costVerdict(breakdown: CostBreakdown, batching: Batching) {
  return {
    name: `AWS cost per 1M entries <= $${MAX_AWS_USD_PER_MILLION} (${batching})`,
    pass: breakdown.awsUsd <= MAX_AWS_USD_PER_MILLION,
    detail: `$${round(breakdown.awsUsd, 2)} (+ OpenAI $${round(breakdown.openAiUsd, 2)})`,
  };
}
