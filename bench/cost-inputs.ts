import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { PENDING_BUCKET } from '../lambdas/contract/index.js';
import { EXTRACTION_METRICS, EXTRACTION_TELEMETRY } from '../lambdas/extraction/telemetry.js';
import type { DecouplingResult } from './decoupling.js';
import type { DrainResult } from './drain.js';
import { entryCapacityUnits, type CostMeasurements, type EntryItems } from './cost.js';
import { round } from './stats.js';

/*
 * Turns what the decoupling and drain sections measured into the cost model's inputs. The
 * stored items are rebuilt from the entries GET /logs returned, with the attributes the
 * adapters add (keys, index attributes, the owner), so their sizes are those of real items.
 */

/** A Cognito `sub` is a UUID: 36 characters, as in the deployed partition keys. */
const OWNER_ID = '3f9a1c2e-7b4d-4e8a-9c61-2d5f0b7a8e13';
/** An Idempotency-Key as a client would send it (a UUID). */
const IDEMPOTENCY_KEY = '9b1f0c2e-5d3a-4c7b-8e2f-1a6d4c9b0e57';
/** A SHA-256 in base64url, as create-entry.ts hashes the entry. */
const REQUEST_HASH = 'q9bK2c7PzV4mX1nR8tY5wE3aS6dF0gH2jL4kM7oN9pQ';

/** The items one entry writes, rebuilt from the entry as GET /logs returned it after tagging. */
export function entryItemsFromView(view: Record<string, unknown>): EntryItems {
  const id = String(view.id);
  const createdAt = String(view.createdAt);
  const keys = { pk: `OWNER#${OWNER_ID}`, sk: `ENTRY#${id}` };
  const pending = {
    ...keys,
    id,
    ownerId: OWNER_ID,
    entry: view.entry,
    status: 'pending',
    tags: [],
    createdAt,
    updatedAt: createdAt,
    pendingBucket: PENDING_BUCKET,
    enqueuedAt: createdAt,
  };
  const { pendingBucket: _removed, ...withoutBucket } = pending;
  const done = { ...withoutBucket, status: 'done', tags: view.tags, updatedAt: view.updatedAt, model: view.model, promptVersion: view.promptVersion };
  const idempotencyKeys = { pk: keys.pk, sk: `IDEMPOTENCY#${IDEMPOTENCY_KEY}` };
  const expiresAt = Math.floor(Date.parse(createdAt) / 1000) + 86_400;
  const { ownerId: _owner, pendingBucket: _bucket, enqueuedAt: _enqueued, pk: _pk, sk: _sk, ...pendingView } = pending;
  return {
    pending,
    done,
    pendingIndexEntry: { ...keys, pendingBucket: PENDING_BUCKET, enqueuedAt: createdAt, id, ownerId: OWNER_ID },
    idempotencyClaim: { ...idempotencyKeys, requestHash: REQUEST_HASH, state: 'in-progress', inProgressUntil: Date.parse(createdAt) + 30_000, expiresAt },
    idempotencyCompleted: {
      ...idempotencyKeys,
      requestHash: REQUEST_HASH,
      state: 'completed',
      expiresAt,
      response: { statusCode: 202, body: pendingView, location: `/logs/${id}` },
    },
  };
}

/**
 * Size of the EMF metrics blob the extraction prints per invocation (lambdas/extraction/
 * process-record.ts adds these metrics per tagged record, batch-metrics.ts the batch counts and
 * the per-version dimension set), serialized by Powertools itself. Measured here because the
 * local stack disables metrics output.
 */
export function emfBytesPerInvocation(records: number, inputTokens: number, outputTokens: number): number {
  const metrics = new Metrics({ namespace: EXTRACTION_TELEMETRY.namespace, serviceName: EXTRACTION_TELEMETRY.serviceName });
  for (let index = 0; index < records; index++) {
    metrics.addMetric(EXTRACTION_METRICS.entriesTagged, MetricUnit.Count, 1);
    metrics.addMetric(EXTRACTION_METRICS.tagsProposed, MetricUnit.Count, 3);
    metrics.addMetric(EXTRACTION_METRICS.ungroundedTagsDropped, MetricUnit.Count, 0);
    metrics.addMetric(EXTRACTION_METRICS.inputTokens, MetricUnit.Count, inputTokens);
    metrics.addMetric(EXTRACTION_METRICS.outputTokens, MetricUnit.Count, outputTokens);
    metrics.addMetric(EXTRACTION_METRICS.modelLatency, MetricUnit.Milliseconds, 800);
  }
  metrics.addMetric(EXTRACTION_METRICS.recordsProcessed, MetricUnit.Count, records);
  metrics.addMetric(EXTRACTION_METRICS.recordsFailed, MetricUnit.Count, 0);
  metrics.addDimensions({ [EXTRACTION_TELEMETRY.versionDimension]: '12' });
  metrics.addDimensions({});
  const bytes = Buffer.byteLength(JSON.stringify(metrics.serializeMetrics())) + 1;
  metrics.clearMetrics();
  metrics.clearDimensions();
  return bytes;
}

/** The cost model's measured inputs, from the decoupling run (handlers, tokens) and a drain run (logs, items). */
export function costMeasurementsFrom(decoupling: DecouplingResult, drain: DrainResult): CostMeasurements {
  const usage = drain.modelUsage.requests > 0 ? drain.modelUsage : decoupling.modelUsage;
  const inputTokensPerEntry = usage.promptTokens / usage.requests;
  const outputTokensPerEntry = usage.completionTokens / usage.requests;
  const { fullBatchSize } = decoupling.extractionDirect;
  return {
    apiPostMs: decoupling.apiHandlerDirect.postMs.median,
    apiGetMs: decoupling.apiHandlerDirect.getMs.median,
    extractionSingleRecordMs: decoupling.extractionDirect.singleRecordMs.median,
    extractionFullBatchMs: decoupling.extractionDirect.fullBatchMs.median,
    fullBatchSize,
    modelLatencyMs: decoupling.extractionDirect.modelDelayMs,
    apiLogBytesPerRequest: decoupling.apiLogBytesPerPost,
    // The API logs nothing per successful request (only errors), so lines follow bytes.
    apiLogLinesPerRequest: decoupling.apiLogBytesPerPost > 0 ? 1 : 0,
    extractionLogBytesPerEntry: drain.extractionLogBytesPerEntry,
    extractionLogLinesPerEntry: drain.extractionLogLinesPerEntry,
    emfBytesSingleRecord: emfBytesPerInvocation(1, inputTokensPerEntry, outputTokensPerEntry),
    emfBytesFullBatch: emfBytesPerInvocation(fullBatchSize, inputTokensPerEntry, outputTokensPerEntry),
    capacity: roundUnits(entryCapacityUnits(drain.sampleItems.map(entryItemsFromView))),
    inputTokensPerEntry: round(inputTokensPerEntry, 1),
    outputTokensPerEntry: round(outputTokensPerEntry, 1),
    retriesPerEntry: drain.retries / drain.scenario.backlog,
  };
}

function roundUnits<T extends object>(units: T): T {
  return Object.fromEntries(Object.entries(units).map(([key, value]) => [key, round(value as number, 3)])) as T;
}
