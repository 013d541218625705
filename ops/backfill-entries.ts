import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENTRY_SORT_PREFIX, ENTRY_STATUS } from '../lambdas/contract/index.js';
import type { BatchApi } from '../lambdas/tag-extraction/backfill/batch-api.js';
import type { BatchLedger } from '../lambdas/tag-extraction/backfill/batch-ledger.js';
import { type BackfillModelSettings, batchRequestLines } from '../lambdas/tag-extraction/backfill/requests.js';

/** OpenAI's limit of requests in one batch input file. */
export const MAX_REQUESTS_PER_BATCH = 50_000;

/** What to re-extract, with which model settings, into which batches. */
export interface BackfillOptions {
  tableName: string;
  /** Entries created at or after this instant. */
  since: Date;
  /** The live extraction's model settings; entries tagged by a prompt older than `promptVersion` are re-extracted. */
  settings: BackfillModelSettings;
  /** Requests per batch (at most MAX_REQUESTS_PER_BATCH). */
  requestsPerBatch: number;
  /** Names the run in the ledger and the batches' metadata. */
  run: string;
  /** Where a previous run stopped (from its checkpoint), to resume there. */
  startKey?: Record<string, unknown>;
  /** Called after each submitted batch with the progress and the key to resume from. */
  onCheckpoint: (progress: BackfillProgress) => void | Promise<void>;
}

/** How far a backfill's submission has got. */
export interface BackfillProgress {
  scanned: number;
  requested: number;
  batches: string[];
  /** Resume key; undefined when the table has been read to the end. */
  nextKey?: Record<string, unknown>;
}

/**
 * Submits the `done` entries created since a date whose tags come from an older prompt to
 * OpenAI's Batch API, nothing to the live jobs queue: a page-wise full-table read (no index spans
 * owners by date), each entry one request line built as the live path builds its request, cut
 * into batches of `requestsPerBatch`. Each batch is recorded in the ledger, where the collector
 * finds it, before the checkpoint moves past its entries, so running again resumes after the
 * last recorded batch.
 */
export async function submitBackfill(
  documentClient: DynamoDBDocumentClient,
  ports: { api: BatchApi; ledger: BatchLedger; now: () => Date },
  options: BackfillOptions,
): Promise<BackfillProgress> {
  const requestsPerBatch = Math.min(options.requestsPerBatch, MAX_REQUESTS_PER_BATCH);
  const pageLimit = Math.min(200, requestsPerBatch);
  const lineOf = batchRequestLines(options.settings);
  const progress: BackfillProgress = { scanned: 0, requested: 0, batches: [], nextKey: options.startKey };
  let lines: string[] = [];
  const submit = async () => {
    if (lines.length > 0) {
      const { batchId, inputFileId, status } = await ports.api.submit(`${lines.join('\n')}\n`, {
        purpose: 'devlog-tags-backfill',
        run: options.run,
      });
      await ports.ledger.record({
        batchId,
        inputFileId,
        run: options.run,
        model: options.settings.model,
        promptVersion: options.settings.promptVersion,
        requests: lines.length,
        submittedAt: ports.now().toISOString(),
        phase: 'submitted',
        status,
        appliedLines: 0,
        counts: { tagged: 0, leftAlone: 0, failed: 0 },
      });
      progress.requested += lines.length;
      progress.batches.push(batchId);
      lines = [];
    }
    await options.onCheckpoint({ ...progress, batches: [...progress.batches] });
  };
  do {
    const page = await documentClient.send(
      new ScanCommand({
        TableName: options.tableName,
        ProjectionExpression: 'id, ownerId, revision, promptVersion, #entry',
        FilterExpression:
          'begins_with(sk, :entry) AND #status = :done AND createdAt >= :since AND (attribute_not_exists(promptVersion) OR promptVersion < :version)',
        ExpressionAttributeNames: { '#status': 'status', '#entry': 'entry' },
        ExpressionAttributeValues: {
          ':entry': ENTRY_SORT_PREFIX,
          ':done': ENTRY_STATUS.done,
          ':since': options.since.toISOString(),
          ':version': options.settings.promptVersion,
        },
        Limit: pageLimit,
        ExclusiveStartKey: progress.nextKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const target = {
        ownerId: String(item.ownerId),
        entryId: String(item.id),
        revision: typeof item.revision === 'number' ? item.revision : 1,
        ...(typeof item.promptVersion === 'number' ? { builtFromPromptVersion: item.promptVersion } : {}),
      };
      lines.push(lineOf(target, String(item.entry)));
    }
    progress.scanned += page.ScannedCount ?? 0;
    progress.nextKey = page.LastEvaluatedKey;
    if (!progress.nextKey || lines.length + pageLimit > requestsPerBatch) await submit();
  } while (progress.nextKey);
  return progress;
}
