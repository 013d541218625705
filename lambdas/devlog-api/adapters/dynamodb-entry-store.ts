import { ConditionalCheckFailedException, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { atRevisionCondition, ENTRY_SORT_PREFIX, ENTRY_STATUS, entryKey, ownerPartition, PENDING_BUCKET } from '../../contract/index.js';
import type { Entry } from '../domain/entry.js';
import { RESEND_ATTRIBUTES } from './dynamodb-pending-entries.js';
import { unlessConditionFailed } from './conditional-write.js';
import {
  EntryNotStoredError,
  type DeletedEntry,
  type EntryPage,
  type EntryStore,
  type TextEdit,
  type TextEditOutcome,
} from '../domain/ports.js';

/** Bookkeeping attributes of the item that are not part of the entry clients see. */
const ITEM_ONLY_ATTRIBUTES = [
  'pk',
  'sk',
  'pendingBucket',
  'failedBucket',
  'enqueuedAt',
  'idempotencyKey',
  ...Object.values(RESEND_ATTRIBUTES),
];

/** Entries in the single DynamoDB table: one partition per owner, sorted by ULID. */
export class DynamoDbEntryStore implements EntryStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Stores a new pending entry, visible to the reconciler's sparse index. A failed condition
   * means the id is taken: an earlier attempt of this put (the SDK's retry after a lost answer,
   * or a concurrent retry of the same Idempotency-Key claim) committed it.
   */
  async create(entry: Entry, idempotencyKey?: string): Promise<'created' | 'exists'> {
    try {
      await this.send(entry, idempotencyKey);
      return 'created';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'exists';
      if (surelyNotApplied(error)) throw new EntryNotStoredError(`entry ${entry.id} was not stored`, { cause: error });
      throw error;
    }
  }

  private async send(entry: Entry, idempotencyKey: string | undefined): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...entryKey(entry.ownerId, entry.id),
          ...entry,
          pendingBucket: PENDING_BUCKET,
          enqueuedAt: entry.createdAt,
          ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Reads one of the owner's entries (strongly consistent, so a GET right after POST sees it). */
  async get(ownerId: string, id: string): Promise<Entry | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: entryKey(ownerId, id), ConsistentRead: true }),
    );
    return Item && toEntry(Item);
  }

  /** Newest-first page of the owner's entries. */
  async list(ownerId: string, limit: number, afterId?: string): Promise<EntryPage> {
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
        ExpressionAttributeValues: { ':pk': ownerPartition(ownerId), ':entry': ENTRY_SORT_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
        ...(afterId ? { ExclusiveStartKey: entryKey(ownerId, afterId) } : {}),
      }),
    );
    const items = Items.map(toEntry);
    const last = items.at(-1);
    return { items, lastId: LastEvaluatedKey && last ? last.id : undefined };
  }

  /**
   * Deletes the item if it exists (and is at `expectedRevision`, when given); the stream's REMOVE record then takes its tags out of the tag
   * index and the totals, and a job still in flight finds the entry gone.
   */
  async delete(ownerId: string, id: string, expectedRevision?: number): Promise<DeletedEntry | undefined> {
    const deleted = await unlessConditionFailed(
      this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: entryKey(ownerId, id),
          ...(expectedRevision === undefined
            ? { ConditionExpression: 'attribute_exists(pk)' }
            : {
                ConditionExpression: `attribute_exists(pk) AND ${atRevisionCondition(expectedRevision, ':expected')}`,
                ExpressionAttributeValues: { ':expected': expectedRevision },
              }),
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    if (!deleted) return undefined;
    const idempotencyKey = deleted.Attributes?.idempotencyKey;
    return typeof idempotencyKey === 'string' ? { idempotencyKey } : {};
  }

  /**
   * One UpdateItem conditional on the revision read, which also puts the entry back into the
   * reconciler's pending index. A failed condition is told apart by a consistent read (dynalite,
   * the local emulator, ignores ReturnValuesOnConditionCheckFailure).
   */
  async replaceText(edit: TextEdit): Promise<TextEditOutcome> {
    const at = edit.at.toISOString();
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: entryKey(edit.ownerId, edit.id),
          UpdateExpression:
            'SET #entry = :entry, revision = :next, #status = :pending, tags = :noTags, updatedAt = :at, pendingBucket = :pendingBucket, enqueuedAt = :at REMOVE #error, failedBucket, model, promptVersion, extractorVersion',
          ConditionExpression: `attribute_exists(pk) AND ${atRevisionCondition(edit.expectedRevision, ':expected')}`,
          ExpressionAttributeNames: { '#entry': 'entry', '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: {
            ':entry': edit.entry,
            ':expected': edit.expectedRevision,
            ':next': edit.expectedRevision + 1,
            ':pending': ENTRY_STATUS.pending,
            ':noTags': [],
            ':at': at,
            ':pendingBucket': PENDING_BUCKET,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { kind: 'replaced', entry: toEntry(Attributes ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return (await this.get(edit.ownerId, edit.id)) ? { kind: 'revision-changed' } : { kind: 'missing' };
    }
  }
}

/**
 * DynamoDB applies nothing of a request it answers with a 4xx (validation, throttling, a failed
 * condition); a 5xx, a timeout or a lost connection may follow a commit. Only a single attempt's
 * 4xx is sure: after an SDK retry an earlier attempt may have committed.
 */
function surelyNotApplied(error: unknown): boolean {
  if (!(error instanceof DynamoDBServiceException)) return false;
  const { httpStatusCode, attempts = 1 } = error.$metadata;
  return httpStatusCode !== undefined && httpStatusCode >= 400 && httpStatusCode < 500 && attempts <= 1;
}

function toEntry(item: Record<string, unknown>): Entry {
  const entry = { ...item };
  for (const attribute of ITEM_ONLY_ATTRIBUTES) delete entry[attribute];
  // Entries stored before edits existed have no revision: they are revision 1.
  entry.revision ??= 1;
  return entry as unknown as Entry;
}
