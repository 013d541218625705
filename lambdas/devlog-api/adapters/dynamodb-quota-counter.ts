import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENTRY_TABLE, ownerPartition } from '../../contract/index.js';
import type { QuotaCounter, QuotaWindow } from '../domain/daily-quota.js';
import { ignoringFailedCondition, unlessConditionFailed } from './conditional-write.js';

/**
 * Quota counters as items in the owner's partition of the entries table, one per user and
 * window (`QUOTA#<window>`), deleted by the table's TTL. The stream into the tech-stack
 * aggregator passes entry items only, so counters never reach it.
 */
export class DynamoDbQuotaCounter implements QuotaCounter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * One conditional UpdateItem: DynamoDB applies the ADD only while the count is below the
   * limit, atomically, so concurrent requests can never push it past the limit.
   */
  async increment(ownerId: string, window: QuotaWindow, limit: number, expiresAt: Date): Promise<number | undefined> {
    const counted = await unlessConditionFailed(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(ownerId, window),
          UpdateExpression: 'SET #expiresAt = if_not_exists(#expiresAt, :expiresAt) ADD #count :one',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'entryCount', '#expiresAt': ENTRY_TABLE.ttlAttribute },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expiresAt': Math.floor(expiresAt.getTime() / 1000) },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return counted === undefined ? undefined : Number(counted.Attributes?.entryCount);
  }

  /** The count, read strongly consistent so a replay right after a POST sees that POST. */
  async read(ownerId: string, window: QuotaWindow): Promise<number> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.key(ownerId, window),
        ConsistentRead: true,
        ProjectionExpression: '#count',
        ExpressionAttributeNames: { '#count': 'entryCount' },
      }),
    );
    return Number(Item?.entryCount ?? 0);
  }

  /** One conditional UpdateItem: the count never goes below zero, and a counter that is gone stays gone. */
  async decrement(ownerId: string, windowId: string): Promise<void> {
    await ignoringFailedCondition(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(ownerId, { id: windowId }),
          UpdateExpression: 'ADD #count :minusOne',
          ConditionExpression: '#count > :zero',
          ExpressionAttributeNames: { '#count': 'entryCount' },
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      ),
    );
  }

  private key(ownerId: string, window: Pick<QuotaWindow, 'id'>) {
    return { pk: ownerPartition(ownerId), sk: `QUOTA#${window.id}` };
  }
}
