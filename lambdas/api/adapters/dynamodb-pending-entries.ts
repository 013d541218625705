import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENTRY_STATUS, ENTRY_TABLE, entryKey, PENDING_BUCKET } from '../../contract/index.js';
import type { EntryRef, EntryRefPage, StalePendingEntries } from '../domain/ports.js';

/** Stale pending entries from the sparse `pending` index: a query, never a scan. */
export class DynamoDbPendingEntries implements StalePendingEntries {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Queries the pending index for jobs last sent before the cutoff, oldest first. */
  async findSentBefore(cutoff: Date, limit: number, after?: unknown): Promise<EntryRefPage> {
    const { name, partitionKey, sortKey } = ENTRY_TABLE.pendingIndex;
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: name,
        KeyConditionExpression: '#bucket = :pending AND #sentAt < :cutoff',
        ExpressionAttributeNames: { '#bucket': partitionKey, '#sentAt': sortKey },
        ExpressionAttributeValues: { ':pending': PENDING_BUCKET, ':cutoff': cutoff.toISOString() },
        Limit: limit,
        ...(after ? { ExclusiveStartKey: after as Record<string, unknown> } : {}),
      }),
    );
    return {
      items: Items.map((item) => ({ ownerId: String(item.ownerId), id: String(item.id) })),
      next: LastEvaluatedKey,
    };
  }

  /**
   * Moves the entry to the end of the index by updating its send time, if still pending, then
   * reads its revision (the deployed index does not project it, and an edited entry's job must
   * carry its revision, or the consumer takes it for an older text's and skips it).
   */
  async markResent(entry: EntryRef, at: Date): Promise<EntryRef | undefined> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: entryKey(entry.ownerId, entry.id),
          UpdateExpression: 'SET enqueuedAt = :at',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':at': at.toISOString(), ':pending': ENTRY_STATUS.pending },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
    const revision = ENTRY_TABLE.revisionAttribute;
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: entryKey(entry.ownerId, entry.id),
        ConsistentRead: true,
        ProjectionExpression: revision,
      }),
    );
    if (!Item) return undefined;
    return { ownerId: entry.ownerId, id: entry.id, revision: typeof Item[revision] === 'number' ? Item[revision] : 1 };
  }
}
