import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENTRY_STATUS, ENTRY_TABLE, entryKey, FAILED_BUCKET, PENDING_BUCKET } from '../lambdas/contract/index.js';
import { sparseIndexPage } from '../lambdas/devlog-api/adapters/sparse-index-page.js';

/**
 * Makes every `failed` entry eligible for extraction again: back to `pending` (and into the
 * reconciler's index), found through the sparse failed index, never a scan. Returns how many;
 * `onEntryReset` hears of each one.
 */
export async function resetFailedEntries(
  client: DynamoDBDocumentClient,
  tableName: string,
  now: Date,
  onProgress: (reset: number) => void = () => {},
  onEntryReset: (entry: { ownerId: string; id: string; revision: number }) => void = () => {},
): Promise<number> {
  let reset = 0;
  let after: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand(sparseIndexPage(tableName, ENTRY_TABLE.failedIndex, FAILED_BUCKET, 100, after)));
    for (const item of page.Items ?? []) {
      const revision = await resetEntry(client, tableName, String(item.ownerId), String(item.id), now);
      if (revision !== undefined) {
        reset++;
        onEntryReset({ ownerId: String(item.ownerId), id: String(item.id), revision });
      }
    }
    onProgress(reset);
    after = page.LastEvaluatedKey;
  } while (after);
  return reset;
}

/** Resets one failed entry to pending; its revision, or undefined when it was not failed (any more). */
async function resetEntry(
  client: DynamoDBDocumentClient,
  tableName: string,
  ownerId: string,
  id: string,
  now: Date,
): Promise<number | undefined> {
  try {
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: entryKey(ownerId, id),
        // `error` stays until the retry succeeds (the extraction removes it then), so clients
        // can show that an earlier attempt failed and a retry is under way.
        UpdateExpression: 'SET #status = :pending, pendingBucket = :pendingBucket, enqueuedAt = :now, updatedAt = :now REMOVE failedBucket',
        ConditionExpression: '#status = :failed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pending': ENTRY_STATUS.pending,
          ':failed': ENTRY_STATUS.failed,
          ':pendingBucket': PENDING_BUCKET,
          ':now': now.toISOString(),
        },
        // The revision, so a job sent anew for the entry is for its current text.
        ReturnValues: 'ALL_NEW',
      }),
    );
    return typeof Attributes?.revision === 'number' ? Attributes.revision : 1;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
