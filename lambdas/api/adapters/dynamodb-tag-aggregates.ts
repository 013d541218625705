import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { TechStackItem } from '../domain/tech-stack.js';
import type { AppliedEntryTags, TagAggregates, TaggedEntries, TaggedEntryIds } from '../domain/tech-stack-ports.js';
import {
  appliedKey,
  ownerAggregatePartition,
  tagIndexKey,
  tagIndexPartition,
  TOTAL_SORT_PREFIX,
  totalKey,
} from './tags-table.js';

/** How often a total is recomputed after losing the race to a concurrent refresh of the same tag. */
const MAX_REFRESH_ATTEMPTS = 10;

/**
 * The aggregates in the tags table. Totals are recomputed from the tag index (count and the
 * oldest and newest entry) and written only if nobody else wrote them since they were read (a
 * random version token, so a deleted and recreated total never looks unchanged). No
 * transactions: dynalite, the local emulator, has none, and recomputing needs none.
 */
export class DynamoDbTagAggregates implements TagAggregates, TaggedEntries {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Reads the entry's applied record, strongly consistent. */
  async applied(ownerId: string, entryId: string): Promise<AppliedEntryTags | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: appliedKey(ownerId, entryId), ConsistentRead: true }),
    );
    return Item ? { tags: (Item.tags ?? {}) as Record<string, string>, version: String(Item.version) } : undefined;
  }

  /** Puts the entry's tag-index item (an overwrite changes nothing but the spelling). */
  async indexEntry(ownerId: string, entryId: string, key: string, value: string, createdAt: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...tagIndexKey(ownerId, key, entryId), entryId, value, createdAt },
      }),
    );
  }

  /** Deletes the entry's tag-index item, if any. */
  async unindexEntry(ownerId: string, entryId: string, key: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: tagIndexKey(ownerId, key, entryId) }));
  }

  /** Recomputes the total from the tag index; retried when a concurrent refresh wrote it first. */
  async refreshTotal(ownerId: string, key: string): Promise<void> {
    for (let attempt = 1; attempt <= MAX_REFRESH_ATTEMPTS; attempt++) {
      const { Item: stored } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: totalKey(ownerId, key), ConsistentRead: true }),
      );
      const computed = await this.computeTotal(ownerId, key);
      if (computed && stored && sameTotal(computed, stored)) return;
      if (!computed && !stored) return;
      if (await this.writeTotal(ownerId, key, computed, stored?.version as string | undefined)) return;
    }
    throw new Error(`the total of a tag kept changing under ${MAX_REFRESH_ATTEMPTS} refreshes; the stream retries it`);
  }

  /** Puts or deletes the applied record, conditional on the version read. */
  async saveApplied(
    ownerId: string,
    entryId: string,
    tags: Record<string, string>,
    expectedVersion: string | undefined,
  ): Promise<boolean> {
    const condition = expectedVersion === undefined
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } };
    const Key = appliedKey(ownerId, entryId);
    return conditionally(() =>
      Object.keys(tags).length === 0
        ? this.client.send(new DeleteCommand({ TableName: this.tableName, Key, ...condition }))
        : this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...Key, tags, version: randomUUID() }, ...condition })),
    );
  }

  /** All of the owner's totals: one query, its size bounded by their distinct technologies. */
  async totals(ownerId: string): Promise<TechStackItem[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :total)',
      ExpressionAttributeValues: { ':pk': ownerAggregatePartition(ownerId), ':total': TOTAL_SORT_PREFIX },
      ProjectionExpression: '#value, #count, firstSeen, lastSeen',
      ExpressionAttributeNames: { '#value': 'value', '#count': 'count' },
    });
    return items.map((item) => ({
      value: String(item.value),
      count: Number(item.count),
      firstSeen: String(item.firstSeen),
      lastSeen: String(item.lastSeen),
    }));
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

  private async computeTotal(ownerId: string, key: string): Promise<TechStackItem | undefined> {
    const partition: QueryCommandInput = {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': tagIndexPartition(ownerId, key) },
      ConsistentRead: true,
    };
    let count = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ ...partition, Select: 'COUNT', ExclusiveStartKey }));
      count += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    if (count === 0) return undefined;
    const [oldest, newest] = await Promise.all(
      [true, false].map(async (ScanIndexForward) => {
        const { Items = [] } = await this.client.send(new QueryCommand({ ...partition, ScanIndexForward, Limit: 1 }));
        return Items[0];
      }),
    );
    if (!oldest || !newest) return undefined;
    return { value: String(newest.value), count, firstSeen: String(oldest.createdAt), lastSeen: String(newest.createdAt) };
  }

  private async writeTotal(
    ownerId: string,
    key: string,
    total: TechStackItem | undefined,
    expectedVersion: string | undefined,
  ): Promise<boolean> {
    const condition = expectedVersion === undefined
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } };
    const Key = totalKey(ownerId, key);
    return conditionally(() =>
      total
        ? this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...Key, ...total, version: randomUUID() }, ...condition }))
        : this.client.send(new DeleteCommand({ TableName: this.tableName, Key, ...condition })),
    );
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }
}

function sameTotal(computed: TechStackItem, stored: Record<string, unknown>): boolean {
  return (
    computed.value === stored.value &&
    computed.count === Number(stored.count) &&
    computed.firstSeen === stored.firstSeen &&
    computed.lastSeen === stored.lastSeen
  );
}

/** Runs a conditional write; false when its condition failed. */
async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
