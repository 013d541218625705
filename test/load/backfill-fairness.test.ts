import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { expect, it } from 'vitest';
import { entryKey } from '../../lambdas/contract/index.js';
import { DynamoDbBatchLedger } from '../../lambdas/tag-extraction/adapters/dynamodb-backfill-ledger.js';
import { DynamoDbEntryTagStore } from '../../lambdas/tag-extraction/adapters/dynamodb-entry-tag-store.js';
import { openAiBatchApi } from '../../lambdas/tag-extraction/adapters/openai-batch-api.js';
import type { BatchLedger } from '../../lambdas/tag-extraction/backfill/batch-ledger.js';
import { collectBackfillBatches } from '../../lambdas/tag-extraction/backfill/collect-batches.js';
import { EXTRACTION_SERVICE_VERSION } from '../../lambdas/tag-extraction/version.js';
import { submitBackfill } from '../../ops/backfill-entries.js';
import { waitUntilSettled } from '../faults/support/settle.js';
import type { ApiClient } from '../support/api-client.js';
import { testEntries, vocabularyAnswer } from '../support/entries.js';
import { useTestStack } from '../support/test-stack.js';
import { percentile } from '../../bench/stats.js';
import { mapConcurrently } from '../support/wait.js';

/*
 * The backfill stays off the live path: on one local stack, new entries are posted once alone
 * and once while a backfill of a few thousand entries is applied (its batch run by the model
 * server's Batch API, its answers written by the collector). Each new entry's time to `done` is
 * its own record's updatedAt - createdAt (both stamped by the handlers), so polling does not
 * blur it. The second phase starts once the collector has written its first chunk, and the
 * collector is still applying when it ends (asserted, not hoped for). No history entry reaches
 * the live model calls or the jobs queue.
 */

const BACKFILL_ENTRIES = 2_000;
const LIVE_ENTRIES = 40;
const LIVE_CONCURRENCY = 4;
/**
 * A model's own latency, as in production (about 0.8 s a call): most of a new entry's time to
 * done, as in AWS. Shorter, the comparison would weigh mostly this one process's CPU, which the
 * collector's stream work shares locally (in AWS it runs in functions of its own).
 */
const MODEL_LATENCY_MS = 800;
/** The collector's pace while new entries are posted: the local stack runs everything in one process. */
const LOCAL_APPLY_PER_SECOND = 5;

const stack = useTestStack({ model: { answer: vocabularyAnswer, latencyMs: MODEL_LATENCY_MS } });

/** Posts the entries at a steady concurrency and returns each one's time to done (ms). */
async function timesToDone(client: ApiClient, run: string): Promise<number[]> {
  const entries = testEntries(LIVE_ENTRIES, run);
  const accepted = await mapConcurrently(entries, LIVE_CONCURRENCY, async (entry) => ({
    ...entry,
    id: (await client.post(entry.text)).body.id as string,
  }));
  const report = await waitUntilSettled(client, accepted, 30_000);
  expect(report.done).toHaveLength(LIVE_ENTRIES);
  return Promise.all(
    accepted.map(async ({ id }) => {
      const { Item } = await stack().ops.documentClient.send(
        new GetCommand({ TableName: stack().ops.tableName, Key: entryKey('live-user', id), ConsistentRead: true }),
      );
      return Date.parse(Item?.updatedAt) - Date.parse(Item?.createdAt);
    }),
  );
}

it(`keeps new entries' time to done within 20 % while ${BACKFILL_ENTRIES} entries are backfilled`, async () => {
  // Arrange: history tagged before prompt versions were recorded, and the backfill's ports
  const history = testEntries(BACKFILL_ENTRIES, 'history');
  // One put at a time per worker: the local stream stand-in, which every client writes through, takes no BatchWriteItem.
  await mapConcurrently(history, 16, (entry, index) => {
    const id = `01JDQ8Z6X4M1V9T3K7N2${String(index).padStart(6, '0')}`;
    const ownerId = `history-user-${index % 7}`;
    return stack().ops.documentClient.send(
      new PutCommand({
        TableName: stack().ops.tableName,
        Item: { ...entryKey(ownerId, id), id, ownerId, entry: entry.text, status: 'done', tags: [], createdAt: '2026-03-01T00:00:00.000Z' },
      }),
    );
  });
  const backfill = await stack().ops.backfill();
  const ledger = new DynamoDbBatchLedger(stack().ops.documentClient, backfill.ledgerTableName);
  const api = openAiBatchApi(async () => backfill.openAi);
  let firstChunkWritten = () => {};
  const collecting = new Promise<void>((resolve) => (firstChunkWritten = resolve));
  const signallingLedger: BatchLedger = {
    record: (batch) => ledger.record(batch),
    open: () => ledger.open(),
    all: () => ledger.all(),
    update: async (batchId, change) => {
      await ledger.update(batchId, change);
      firstChunkWritten();
    },
  };
  const client = await stack().client('live-user');

  // Act: alone, then alongside the backfill
  const alone = await timesToDone(client, 'alone');
  const started = performance.now();
  const submitted = await submitBackfill(
    stack().ops.documentClient,
    { api, ledger, now: () => new Date() },
    {
      tableName: stack().ops.tableName,
      since: new Date('2026-01-01T00:00:00Z'),
      settings: { model: backfill.model, reasoningEffort: backfill.reasoningEffort, promptVersion: 1 },
      requestsPerBatch: 50_000,
      run: 'fairness',
      onCheckpoint: () => {},
    },
  );
  await stack().model!.batches.settled();
  // The collector paces its writes (BACKFILL_APPLY_PER_SECOND); here at what this one-process
  // stack spares beside its live entries. When they are done, the run stops as a Lambda does at
  // its deadline, and a second run resumes at full speed.
  let liveDone = false;
  const collectDeps = {
    store: new DynamoDbEntryTagStore(stack().ops.documentClient, stack().ops.tableName),
    api,
    now: () => new Date(),
    extractorVersion: EXTRACTION_SERVICE_VERSION,
  };
  const paced = collectBackfillBatches({
    ...collectDeps,
    ledger: signallingLedger,
    outOfTime: () => liveDone,
    applyPerSecond: LOCAL_APPLY_PER_SECOND,
  });
  await collecting;
  const during = await timesToDone(client, 'during');
  liveDone = true;
  const pacedReport = await paced;
  const report = await collectBackfillBatches({ ...collectDeps, ledger, outOfTime: () => false, applyPerSecond: 10_000 });
  const backfillSeconds = (performance.now() - started) / 1000;

  // Assert
  expect(submitted.requested).toBe(BACKFILL_ENTRIES);
  expect(stack().model!.requests.every((request) => !request.entry.includes('[history#'))).toBe(true);
  expect(pacedReport.batches).toMatchObject([{ phase: 'submitted', status: 'completed' }]);
  expect(pacedReport.batches[0]?.appliedLines).toBeGreaterThan(0);
  expect(report.batches).toMatchObject([
    { phase: 'applied', appliedLines: BACKFILL_ENTRIES, counts: { tagged: BACKFILL_ENTRIES, leftAlone: 0, failed: 0 } },
  ]);
  const [aloneMedian, duringMedian] = [percentile(alone, 50), percentile(during, 50)];
  console.log(
    `backfill fairness: ${BACKFILL_ENTRIES} backfilled in ${backfillSeconds.toFixed(1)} s; ${LIVE_ENTRIES} new entries at concurrency ${LIVE_CONCURRENCY}, model latency ${MODEL_LATENCY_MS} ms: ` +
      `time to done p50 ${aloneMedian} ms alone, ${duringMedian} ms during the backfill (p90 ${percentile(alone, 90)} / ${percentile(during, 90)} ms)`,
  );
  expect(duringMedian).toBeLessThanOrEqual(aloneMedian * 1.2);
}, 240_000);
