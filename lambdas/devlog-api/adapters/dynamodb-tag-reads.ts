import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keyOfRank, type TechStackItem, type TechStackPage } from '../domain/tech-stack.js';
import type { TaggedEntries, TaggedEntryIds, TechStackReader } from '../domain/tech-stack-ports.js';
import { ownerAggregatePartition, TECH_STACK_INDEX, tagIndexKey, tagIndexPartition, totalKey } from './tags-table.js';

/**
 * The API's reads of the tags table (only the aggregator writes it, with DynamoDbTagAggregates):
 * pages of the index by count and of the tag index. Apart from the writer, so the API's bundle
 * carries none of the aggregator's code.
 */
export class DynamoDbTagReads implements TaggedEntries, TechStackReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** One query of the owner's index by count, `limit` rows: its cost does not grow with their entries or technologies. */
  async techStackPage(ownerId: string, limit: number, after?: string): Promise<TechStackPage> {
    const owner = ownerAggregatePartition(ownerId);
    const afterKey = after === undefined ? undefined : keyOfRank(after);
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TECH_STACK_INDEX.name,
        KeyConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: {
          '#owner': TECH_STACK_INDEX.partitionKey,
          '#value': 'value',
          '#count': 'count',
          '#rank': TECH_STACK_INDEX.sortKey,
        },
        ExpressionAttributeValues: { ':owner': owner },
        ProjectionExpression: '#value, #count, firstSeen, lastSeen, #rank',
        Limit: limit,
        ...(after !== undefined && afterKey !== undefined
          ? {
              ExclusiveStartKey: {
                ...totalKey(ownerId, afterKey),
                [TECH_STACK_INDEX.partitionKey]: owner,
                [TECH_STACK_INDEX.sortKey]: after,
              },
            }
          : {}),
      }),
    );
    const items: TechStackItem[] = Items.map((item) => ({
      value: String(item.value),
      count: Number(item.count),
      firstSeen: String(item.firstSeen),
      lastSeen: String(item.lastSeen),
    }));
    const last = LastEvaluatedKey?.[TECH_STACK_INDEX.sortKey];
    return { items, ...(typeof last === 'string' ? { after: last } : {}) };
  }

  /** One query of the tag's partition: its cost grows with the entries carrying the tag, not with all of them. */
  async entriesTagged(ownerId: string, key: string, limit: number, afterId?: string): Promise<TaggedEntryIds> {
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': tagIndexPartition(ownerId, key) },
        ProjectionExpression: 'entryId',
        ScanIndexForward: false,
        Limit: limit,
        ...(afterId ? { ExclusiveStartKey: tagIndexKey(ownerId, key, afterId) } : {}),
      }),
    );
    const ids = Items.map((item) => String(item.entryId));
    return { ids, lastId: LastEvaluatedKey ? ids.at(-1) : undefined };
  }
}
