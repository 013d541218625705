import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbEntryStore } from '../../../../lambdas/devlog-api/adapters/dynamodb-entry-store.js';
import type { Entry } from '../../../../lambdas/devlog-api/domain/entry.js';
import { EntryNotStoredError } from '../../../../lambdas/devlog-api/domain/ports.js';
import { pendingEntry } from '../../support/fake-api-ports.js';
import { conditionFailed } from '../../support/dynamodb-errors.js';

function throttled($metadata: { httpStatusCode: number; attempts: number }): DynamoDBServiceException {
  return new DynamoDBServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata, message: 'Rate exceeded' });
}

const TABLE = 'entries-test';
const ID = '01JDQ8Z6X4M1V9T3K7N2P5R8WA';
const OLDER_ID = '01JDQ8Z6X4M1V9T3K7N2P5R8W0';

const ddb = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbEntryStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1' })), TABLE);

const PENDING: Entry = pendingEntry({ id: ID });

function item(entry: Entry): Record<string, unknown> {
  return {
    pk: `OWNER#${entry.ownerId}`,
    sk: `ENTRY#${entry.id}`,
    pendingBucket: 'pending',
    enqueuedAt: entry.createdAt,
    ...entry,
  };
}

beforeEach(() => {
  ddb.reset();
});

describe('DynamoDbEntryStore', () => {
  describe('delete', () => {
    it('deletes an existing item only, and returns the Idempotency-Key it was created with', async () => {
      // Arrange
      ddb.on(DeleteCommand).resolves({ Attributes: { ...item(PENDING), idempotencyKey: 'key-1' } });

      // Act
      const deleted = await store.delete('user-a', ID);

      // Assert
      expect(deleted).toEqual({ idempotencyKey: 'key-1' });
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(DeleteCommand, {
        TableName: TABLE,
        Key: { pk: 'OWNER#user-a', sk: `ENTRY#${ID}` },
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_OLD',
      });
    });

    it('returns undefined for a missing item (the condition failed)', async () => {
      // Arrange
      ddb.on(DeleteCommand).rejects(conditionFailed());

      // Act + Assert
      expect(await store.delete('user-a', ID)).toBeUndefined();
    });
  });

  it('keeps the Idempotency-Key of the POST on the item, and never shows it in the entry', async () => {
    // Arrange
    ddb.on(PutCommand).resolves({});
    ddb.on(GetCommand).resolves({ Item: { ...item(PENDING), idempotencyKey: 'key-1' } });

    // Act
    await store.create(PENDING, 'key-1');
    const read = await store.get('user-a', ID);

    // Assert
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ idempotencyKey: 'key-1' }) });
    expect(read).toEqual(PENDING);
  });

  describe('replaceText', () => {
    const edit = { ownerId: 'user-a', id: ID, entry: 'Used Rust', expectedRevision: 1, at: new Date('2026-11-23T11:00:00.000Z') };

    it('writes the next revision as pending without tags, error or provenance, back in the pending index, only over the revision read', async () => {
      // Arrange
      const edited = { ...PENDING, entry: 'Used Rust', revision: 2, updatedAt: '2026-11-23T11:00:00.000Z' };
      ddb.on(UpdateCommand).resolves({ Attributes: item(edited) });

      // Act
      const outcome = await store.replaceText(edit);

      // Assert
      expect(outcome).toEqual({ kind: 'replaced', entry: edited });
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
        TableName: TABLE,
        Key: { pk: 'OWNER#user-a', sk: `ENTRY#${ID}` },
        UpdateExpression:
          'SET #entry = :entry, revision = :next, #status = :pending, tags = :noTags, updatedAt = :at, pendingBucket = :pendingBucket, enqueuedAt = :at REMOVE #error, failedBucket, model, promptVersion, extractorVersion',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(revision) OR revision = :expected)',
        ExpressionAttributeValues: {
          ':entry': 'Used Rust',
          ':expected': 1,
          ':next': 2,
          ':pending': 'pending',
          ':noTags': [],
          ':at': '2026-11-23T11:00:00.000Z',
          ':pendingBucket': 'pending',
        },
        ReturnValues: 'ALL_NEW',
      });
    });

    it('conditions an edit of revision 2 on exactly revision 2', async () => {
      // Arrange
      ddb.on(UpdateCommand).resolves({ Attributes: item({ ...PENDING, revision: 3 }) });

      // Act
      await store.replaceText({ ...edit, expectedRevision: 2 });

      // Assert
      expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
        ConditionExpression: 'attribute_exists(pk) AND revision = :expected',
        ExpressionAttributeValues: expect.objectContaining({ ':expected': 2, ':next': 3 }),
      });
    });

    it.each([
      ['revision-changed', { Item: item({ ...PENDING, revision: 2 }) }],
      ['missing', {}],
    ])('tells a failed condition apart by a consistent read: %s', async (kind, read) => {
      // Arrange
      ddb.on(UpdateCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves(read);

      // Act
      const outcome = await store.replaceText(edit);

      // Assert
      expect(outcome).toEqual({ kind });
      expect(ddb).toHaveReceivedCommandWith(GetCommand, { ConsistentRead: true });
    });
  });

  describe('create', () => {
    it("puts the entry in the owner's partition, in the pending index, and never over an existing item", async () => {
      // Arrange
      ddb.on(PutCommand).resolves({});

      // Act
      await store.create(PENDING);

      // Assert
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(PutCommand, {
        TableName: TABLE,
        Item: { pk: 'OWNER#user-a', sk: `ENTRY#${ID}`, pendingBucket: 'pending', enqueuedAt: '2026-11-23T10:00:00.000Z', ...PENDING },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    });

    it('reports a taken id as an entry that exists (an earlier attempt of the put committed)', async () => {
      // Arrange
      ddb.on(PutCommand).rejects(conditionFailed(2));

      // Act
      const outcome = await store.create(PENDING);

      // Assert
      expect(outcome).toBe('exists');
    });

    it("reports a single attempt's 4xx rejection as surely not stored", async () => {
      // Arrange
      ddb.on(PutCommand).rejects(throttled({ httpStatusCode: 400, attempts: 1 }));

      // Act
      const attempt = store.create(PENDING);

      // Assert
      await expect(attempt).rejects.toBeInstanceOf(EntryNotStoredError);
    });

    it.each([
      ['a 5xx', { httpStatusCode: 500, attempts: 1 }],
      ['a 4xx after an SDK retry', { httpStatusCode: 400, attempts: 2 }],
    ])('passes %s on as an ambiguous failure, not as "not stored"', async (_case, metadata) => {
      // Arrange
      ddb.on(PutCommand).rejects(throttled(metadata));

      // Act
      const attempt = store.create(PENDING);

      // Assert
      await expect(attempt).rejects.toSatisfy((error) => error instanceof DynamoDBServiceException);
    });

    it('passes a network error on as an ambiguous failure', async () => {
      // Arrange
      ddb.on(PutCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));

      // Act
      const attempt = store.create(PENDING);

      // Assert
      await expect(attempt).rejects.toSatisfy((error) => !(error instanceof EntryNotStoredError));
    });
  });

  describe('get', () => {
    it("reads the owner's item strongly consistently and strips the table's own attributes", async () => {
      // Arrange
      ddb.on(GetCommand).resolves({ Item: item(PENDING) });

      // Act
      const entry = await store.get('user-a', ID);

      // Assert
      expect(entry).toEqual(PENDING);
      expect(ddb).toHaveReceivedCommandWith(GetCommand, {
        TableName: TABLE,
        Key: { pk: 'OWNER#user-a', sk: `ENTRY#${ID}` },
        ConsistentRead: true,
      });
    });

    it('hides the bookkeeping of the reconciler and the redrive', async () => {
      // Arrange
      const failed: Entry = { ...PENDING, status: 'failed', error: 'gave up after 5 attempts' };
      ddb.on(GetCommand).resolves({ Item: { ...item(failed), pendingBucket: undefined, failedBucket: 'failed' } });

      // Act
      const entry = await store.get('user-a', ID);

      // Assert
      expect(Object.keys(entry!).sort()).toEqual(Object.keys(failed).sort());
    });

    it('returns undefined when there is no such item', async () => {
      // Arrange
      ddb.on(GetCommand).resolves({});

      // Act
      const entry = await store.get('user-b', ID);

      // Assert
      expect(entry).toBeUndefined();
      expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'OWNER#user-b', sk: `ENTRY#${ID}` } });
    });
  });

  describe('list', () => {
    it("queries only the owner's entries, newest first, limited", async () => {
      // Arrange
      ddb.on(QueryCommand).resolves({ Items: [item(PENDING)] });

      // Act
      const page = await store.list('user-a', 20);

      // Assert
      expect(page).toEqual({ items: [PENDING], lastId: undefined });
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(QueryCommand, {
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
        ExpressionAttributeValues: { ':pk': 'OWNER#user-a', ':entry': 'ENTRY#' },
        ScanIndexForward: false,
        Limit: 20,
      });
      expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).not.toHaveProperty('ExclusiveStartKey');
    });

    it("continues after the given id, inside the caller's partition", async () => {
      // Arrange
      ddb.on(QueryCommand).resolves({ Items: [] });

      // Act
      await store.list('user-a', 5, ID);

      // Assert
      expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
        ExclusiveStartKey: { pk: 'OWNER#user-a', sk: `ENTRY#${ID}` },
        Limit: 5,
      });
    });

    it('reports the last id of a page when DynamoDB says more may follow', async () => {
      // Arrange
      const older = { ...PENDING, id: OLDER_ID };
      ddb.on(QueryCommand).resolves({
        Items: [item(PENDING), item(older)],
        LastEvaluatedKey: { pk: 'OWNER#user-a', sk: `ENTRY#${OLDER_ID}` },
      });

      // Act
      const page = await store.list('user-a', 2);

      // Assert
      expect(page.items.map((entry) => entry.id)).toEqual([ID, OLDER_ID]);
      expect(page.lastId).toBe(OLDER_ID);
    });

    it('handles a response without items', async () => {
      // Arrange
      ddb.on(QueryCommand).resolves({});

      // Act
      const page = await store.list('user-a', 20);

      // Assert
      expect(page).toEqual({ items: [], lastId: undefined });
    });
  });
});
