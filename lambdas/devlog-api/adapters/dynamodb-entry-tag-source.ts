import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { entryKey } from '../../contract/index.js';
import type { CurrentEntryTags, EntryTagSource } from '../domain/tech-stack-ports.js';

/** The attributes of an entry the aggregator may read (its IAM policy allows no others). */
export const AGGREGATOR_ENTRY_ATTRIBUTES = ['createdAt', 'tags'] as const;

/** The aggregator's view of the entries table: an entry's tags and creation time, nothing else. */
export class DynamoDbEntryTagSource implements EntryTagSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Reads the entry strongly consistent, so the newest write is what gets applied. */
  async read(ownerId: string, entryId: string): Promise<CurrentEntryTags | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: entryKey(ownerId, entryId),
        ConsistentRead: true,
        ProjectionExpression: AGGREGATOR_ENTRY_ATTRIBUTES.join(', '),
      }),
    );
    if (!Item) return undefined;
    const tags = Array.isArray(Item.tags) ? (Item.tags as { value?: unknown }[]) : [];
    return {
      createdAt: String(Item.createdAt),
      tags: tags.map((tag) => tag.value).filter((value): value is string => typeof value === 'string'),
    };
  }
}
