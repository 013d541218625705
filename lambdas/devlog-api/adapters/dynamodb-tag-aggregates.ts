import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { countedTotal, nextTotal, techStackRank, type TagTotal, type TotalChange } from '../domain/tech-stack.js';
import type { AppliedEntryTags, PendingTagChange, TagAggregates } from '../domain/tech-stack-ports.js';
import {
  appliedKey,
  ownerAggregatePartition,
  TECH_STACK_INDEX,
  tagIndexItem,
  tagIndexKey,
  tagIndexPartition,
  totalKey,
} from './tags-table.js';
import { unlessConditionFailed } from './conditional-write.js';

/** How often a total is re-read and recomputed after losing the race to a concurrent update of the same tag. */
const MAX_TOTAL_ATTEMPTS = 10;

/**
 * The aggregates in the tags table. A total is read, recomputed by the domain's nextTotal and
 * written only if nobody wrote it since (a random version token), together with the token of
 * the change it applied; its delta is never applied again while the token is there. A token
 * stays until a later update of the same total finds the change finished (the entry's applied
 * record no longer has it under way) and removes it, so a total holds about one token at a
 * time. No transactions: dynalite, the local emulator, has none.
 */
export class DynamoDbTagAggregates implements TagAggregates {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Reads the entry's applied record, strongly consistent. */
  async applied(ownerId: string, entryId: string): Promise<AppliedEntryTags | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: appliedKey(ownerId, entryId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      tags: (Item.tags ?? {}) as Record<string, string>,
      version: String(Item.version),
      ...(Item.pending ? { pending: Item.pending as PendingTagChange } : {}),
    };
  }

  /** Records the change as under way, conditional on the version read (a new record when there was none). */
  async beginChange(ownerId: string, entryId: string, change: PendingTagChange, expectedVersion: string | undefined): Promise<boolean> {
    const Key = appliedKey(ownerId, entryId);
    return conditionally(
      expectedVersion === undefined
        ? this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { ...Key, tags: {}, version: randomUUID(), pending: change },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          )
        : this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key,
              UpdateExpression: 'SET pending = :pending',
              ConditionExpression: 'version = :expected AND attribute_not_exists(pending)',
              ExpressionAttributeValues: { ':pending': change, ':expected': expectedVersion },
            }),
          ),
    );
  }

  /** Puts the entry's tag-index item (an overwrite changes nothing but the spelling). */
  async indexEntry(ownerId: string, entryId: string, key: string, value: string, createdAt: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: tagIndexItem(ownerId, key, entryId, value, createdAt),
      }),
    );
  }

  /** Deletes the entry's tag-index item, if any. */
  async unindexEntry(ownerId: string, entryId: string, key: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: tagIndexKey(ownerId, key, entryId) }));
  }

  /** Applies the change to the total once: skipped when the total holds its token; retried when a concurrent update wrote first. */
  async applyToTotal(ownerId: string, key: string, change: TotalChange): Promise<void> {
    for (let attempt = 1; attempt <= MAX_TOTAL_ATTEMPTS; attempt++) {
      const { Item: stored } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: totalKey(ownerId, key), ConsistentRead: true }),
      );
      const tokens = (stored?.tokens ?? {}) as Record<string, string>;
      if (change.delta !== 0 && change.token in tokens) return;
      const next = await nextTotal(stored && totalOf(stored), change, (end) => this.edge(ownerId, key, end));
      const retired = await this.finishedTokens(ownerId, Object.keys(tokens));
      if (
        await this.writeTotal(
          ownerId,
          key,
          next,
          stored?.version as string | undefined,
          change.delta === 0 ? undefined : change.token,
          retired,
        )
      )
        return;
    }
    throw new Error(`the total of a tag kept changing under ${MAX_TOTAL_ATTEMPTS} updates; the stream retries it`);
  }

  /** Takes the change under way as the applied tags and clears it, if it is still `token`; forgets the entry when it has no tags. */
  async finishChange(ownerId: string, entryId: string, token: string, tags: Record<string, string>): Promise<boolean> {
    const Key = appliedKey(ownerId, entryId);
    const condition = { ConditionExpression: 'pending.#token = :token', ExpressionAttributeNames: { '#token': 'token' } };
    return conditionally(
      Object.keys(tags).length === 0
        ? this.client.send(
            new DeleteCommand({ TableName: this.tableName, Key, ...condition, ExpressionAttributeValues: { ':token': token } }),
          )
        : this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key,
              UpdateExpression: 'SET tags = :tags, version = :version REMOVE pending',
              ...condition,
              ExpressionAttributeValues: { ':token': token, ':tags': tags, ':version': randomUUID() },
            }),
          ),
    );
  }

  /** The oldest or newest row of the tag's partition (sorted by entry id): one row read, whatever the partition's size. */
  private async edge(ownerId: string, key: string, end: 'first' | 'last') {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': tagIndexPartition(ownerId, key) },
        ConsistentRead: true,
        ScanIndexForward: end === 'first',
        Limit: 1,
      }),
    );
    const row = Items[0];
    return row ? { entryId: String(row.entryId), createdAt: String(row.createdAt), value: String(row.value) } : undefined;
  }

  /** The tokens whose changes are finished: their entry's applied record no longer has them under way. */
  private async finishedTokens(ownerId: string, tokens: string[]): Promise<string[]> {
    const finished = await Promise.all(
      tokens.map(async (token) => {
        const entryId = token.slice(0, token.indexOf(':'));
        const { Item } = await this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: appliedKey(ownerId, entryId),
            ConsistentRead: true,
            ProjectionExpression: 'pending.#token',
            ExpressionAttributeNames: { '#token': 'token' },
          }),
        );
        return (Item?.pending as { token?: string } | undefined)?.token === token ? undefined : token;
      }),
    );
    return finished.filter((token): token is string => token !== undefined);
  }

  private async writeTotal(
    ownerId: string,
    key: string,
    total: TagTotal,
    expectedVersion: string | undefined,
    token: string | undefined,
    retired: string[],
  ): Promise<boolean> {
    const Key = totalKey(ownerId, key);
    const ranked = countedTotal(total);
    const fields: Record<string, unknown> = {
      count: total.count,
      version: randomUUID(),
      ...(ranked
        ? {
            value: ranked.value,
            firstSeen: ranked.first.createdAt,
            firstEntryId: ranked.first.entryId,
            lastSeen: ranked.last.createdAt,
            lastEntryId: ranked.last.entryId,
            [TECH_STACK_INDEX.partitionKey]: ownerAggregatePartition(ownerId),
            [TECH_STACK_INDEX.sortKey]: techStackRank(ranked.count, ranked.last.createdAt, key),
          }
        : {}),
    };
    if (expectedVersion === undefined) {
      return conditionally(
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...Key, ...fields, tokens: token ? { [token]: new Date().toISOString() } : {} },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    }
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':expected': expectedVersion };
    const sets = Object.entries(fields).map(([name, value], index) => {
      names[`#f${index}`] = name;
      values[`:f${index}`] = value;
      return `#f${index} = :f${index}`;
    });
    if (token) {
      names['#newToken'] = token;
      values[':at'] = new Date().toISOString();
      sets.push('tokens.#newToken = :at');
    }
    const removes = retired.map((old, index) => {
      names[`#old${index}`] = old;
      return `tokens.#old${index}`;
    });
    if (!ranked) {
      for (const name of [
        'value',
        'firstSeen',
        'firstEntryId',
        'lastSeen',
        'lastEntryId',
        TECH_STACK_INDEX.partitionKey,
        TECH_STACK_INDEX.sortKey,
      ]) {
        names[`#r${removes.length}`] = name;
        removes.push(`#r${removes.length}`);
      }
    }
    names['#tokens'] = 'tokens';
    return conditionally(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'version = :expected AND attribute_exists(#tokens)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }
}

/** A stored total as the domain sees it. */
function totalOf(item: Record<string, unknown>): TagTotal {
  const count = Number(item.count ?? 0);
  if (count <= 0 || typeof item.firstEntryId !== 'string' || typeof item.lastEntryId !== 'string') return { count };
  return {
    count,
    first: { entryId: item.firstEntryId, createdAt: String(item.firstSeen) },
    last: { entryId: item.lastEntryId, createdAt: String(item.lastSeen) },
    value: String(item.value),
  };
}

/** Runs a conditional write; false when its condition failed. */
async function conditionally(write: Promise<unknown>): Promise<boolean> {
  return (await unlessConditionFailed(write)) !== undefined;
}
