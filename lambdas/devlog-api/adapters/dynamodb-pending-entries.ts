import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENTRY_STATUS, ENTRY_TABLE, entryKey, PENDING_BUCKET } from '../../contract/index.js';
import type { EntryRef, EntryRefPage, ResentEntry, StalePendingEntries } from '../domain/ports.js';
import { unlessConditionFailed } from './conditional-write.js';
import { sparseIndexPage } from './sparse-index-page.js';

/**
 * What the reconciler keeps on an entry item besides `enqueuedAt`: how often it re-sent the
 * entry's job, and the `updatedAt` (when the entry last became pending) that count is for. A
 * count for another `updatedAt` is from an earlier time the entry was pending: it starts over.
 * Only the reconciler writes them, and clients never see them.
 */
export const RESEND_ATTRIBUTES = { count: 'resendCount', since: 'resendsSince' } as const;

/** The entry attributes the reconciler reads (its IAM policy allows these and the keys only). */
export const RECONCILER_READ_ATTRIBUTES = [
  'status',
  'updatedAt',
  ENTRY_TABLE.revisionAttribute,
  RESEND_ATTRIBUTES.count,
  RESEND_ATTRIBUTES.since,
] as const;

/** The entry attributes the reconciler's updates name (its IAM policy allows these and the keys only). */
export const RECONCILER_WRITE_ATTRIBUTES = [
  'status',
  ENTRY_TABLE.pendingIndex.sortKey,
  RESEND_ATTRIBUTES.count,
  RESEND_ATTRIBUTES.since,
] as const;

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

  /** The send time of the first entry of the pending index (its sort key), in one read of one index item. */
  async oldestSentAt(): Promise<Date | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand(sparseIndexPage(this.tableName, ENTRY_TABLE.pendingIndex, PENDING_BUCKET, 1)),
    );
    const sentAt = Items[0]?.[ENTRY_TABLE.pendingIndex.sortKey];
    return typeof sentAt === 'string' ? new Date(sentAt) : undefined;
  }

  /**
   * Reads the entry's revision (the deployed index does not project it, and a job carries it),
   * when it became pending and its re-send count, then, if still pending, moves it to the end of
   * the index by updating its send time and counts the re-send.
   */
  async markResent(entry: EntryRef, at: Date): Promise<ResentEntry | undefined> {
    const key = entryKey(entry.ownerId, entry.id);
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: key,
        ConsistentRead: true,
        ProjectionExpression: RECONCILER_READ_ATTRIBUTES.map((_, index) => `#a${index}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(RECONCILER_READ_ATTRIBUTES.map((name, index) => [`#a${index}`, name])),
      }),
    );
    if (Item?.status !== ENTRY_STATUS.pending || typeof Item.updatedAt !== 'string') return undefined;
    const pendingSince = Item.updatedAt;
    const earlier =
      Item[RESEND_ATTRIBUTES.since] === pendingSince && typeof Item[RESEND_ATTRIBUTES.count] === 'number'
        ? Item[RESEND_ATTRIBUTES.count]
        : 0;
    const resends = earlier + 1;
    const resent = await unlessConditionFailed(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET enqueuedAt = :at, #count = :resends, #since = :since',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status', '#count': RESEND_ATTRIBUTES.count, '#since': RESEND_ATTRIBUTES.since },
          ExpressionAttributeValues: {
            ':at': at.toISOString(),
            ':pending': ENTRY_STATUS.pending,
            ':resends': resends,
            ':since': pendingSince,
          },
        }),
      ),
    );
    if (!resent) return undefined;
    const revision = Item[ENTRY_TABLE.revisionAttribute];
    return {
      ownerId: entry.ownerId,
      id: entry.id,
      revision: typeof revision === 'number' ? revision : 1,
      pendingSince: new Date(pendingSince),
      resends,
    };
  }
}
