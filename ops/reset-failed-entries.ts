import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENTRY_TABLE, entryKey, FAILED_BUCKET, PENDING_BUCKET } from '../lambdas/contract/index.js';

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
  onEntryReset: (entry: { ownerId: string; id: string }) => void = () => {},
): Promise<number> {
  const { name, partitionKey } = ENTRY_TABLE.failedIndex;
  let reset = 0;
  let after: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: name,
        KeyConditionExpression: '#bucket = :failed',
        ExpressionAttributeNames: { '#bucket': partitionKey },
        ExpressionAttributeValues: { ':failed': FAILED_BUCKET },
        Limit: 100,
        ExclusiveStartKey: after,
      }),
    );
    for (const item of page.Items ?? []) {
      const entry = { ownerId: String(item.ownerId), id: String(item.id) };
      if (await resetEntry(client, tableName, entry.ownerId, entry.id, now)) {
        reset++;
        onEntryReset(entry);
      }
    }
    onProgress(reset);
    after = page.LastEvaluatedKey;
  } while (after);
  return reset;
}

async function resetEntry(
  client: DynamoDBDocumentClient,
  tableName: string,
  ownerId: string,
  id: string,
  now: Date,
): Promise<boolean> {
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: entryKey(ownerId, id),
        UpdateExpression:
          'SET #status = :pending, pendingBucket = :pendingBucket, enqueuedAt = :now, updatedAt = :now REMOVE failedBucket, #error',
        ConditionExpression: '#status = :failed',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ':failed': 'failed',
          ':pendingBucket': PENDING_BUCKET,
          ':now': now.toISOString(),
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
