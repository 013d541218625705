import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DynamoDbIdempotencyStore,
  IDEMPOTENCY_KEY_TTL_SECONDS,
  IN_PROGRESS_TIMEOUT_MS,
} from '../../../../lambdas/devlog-api/adapters/dynamodb-idempotency-store.js';
import { conditionFailed } from '../../support/dynamodb-errors.js';

const TABLE = 'entries-test';
const NOW = new Date('2026-11-23T10:00:00.000Z');
const NOW_MS = NOW.getTime();
const KEY = { pk: 'OWNER#user-a', sk: 'IDEMPOTENCY#key-1' };
const ENTRY_ID = '01JDQ8Z6X4M1V9T3K7N2P5R8WA';
const RESPONSE = { statusCode: 202, body: { id: '01JDQ8Z6X4M1V9T3K7N2P5R8WA' }, location: '/logs/01JDQ8Z6X4M1V9T3K7N2P5R8WA' };

const ddb = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbIdempotencyStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1' })), TABLE, {
  now: () => NOW,
});

beforeEach(() => {
  ddb.reset();
});

/** Asserts the store sent `command` exactly once, for the key's record in the table, with `input` besides. */
function expectSentOnceToKey(command: typeof DeleteCommand | typeof UpdateCommand, input: Record<string, unknown>): void {
  expect(ddb).toHaveReceivedCommandExactlyOnceWith(command, { TableName: TABLE, Key: KEY, ...input });
}

describe('DynamoDbIdempotencyStore', () => {
  describe('forget', () => {
    it("deletes the key's record only while it names the deleted entry", async () => {
      // Arrange
      ddb.on(DeleteCommand).resolves({});

      // Act
      await store.forget('user-a', 'key-1', ENTRY_ID);

      // Assert
      expectSentOnceToKey(DeleteCommand, {
        ConditionExpression: 'entryId = :entryId',
        ExpressionAttributeValues: { ':entryId': ENTRY_ID },
      });
    });

    it('leaves a key that names another entry (claimed anew since), without an error', async () => {
      // Arrange
      ddb.on(DeleteCommand).rejects(conditionFailed());

      // Act + Assert
      await expect(store.forget('user-a', 'key-1', ENTRY_ID)).resolves.toBeUndefined();
    });
  });

  describe('claim', () => {
    it('claims a new key with a conditional put that expires the claim and the key', async () => {
      // Arrange
      ddb.on(PutCommand).resolves({});

      // Act
      const claim = await store.claim('user-a', 'key-1', 'hash-1', ENTRY_ID);

      // Assert
      expect(claim).toEqual({ outcome: 'claimed' });
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(PutCommand, {
        TableName: TABLE,
        Item: {
          ...KEY,
          requestHash: 'hash-1',
          entryId: ENTRY_ID,
          state: 'in-progress',
          inProgressUntil: NOW_MS + IN_PROGRESS_TIMEOUT_MS,
          expiresAt: NOW_MS / 1000 + IDEMPOTENCY_KEY_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSeconds',
        ExpressionAttributeValues: { ':nowSeconds': NOW_MS / 1000 },
      });
      expect(ddb).not.toHaveReceivedCommand(GetCommand);
    });

    it('returns the stored answer when the key was completed', async () => {
      // Arrange
      ddb.on(PutCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { ...KEY, requestHash: 'hash-1', state: 'completed', response: RESPONSE } });

      // Act
      const claim = await store.claim('user-a', 'key-1', 'hash-1', ENTRY_ID);

      // Assert
      expect(claim).toEqual({ outcome: 'completed', requestHash: 'hash-1', response: RESPONSE });
      expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: TABLE, Key: KEY, ConsistentRead: true });
    });

    it('returns the live claim of a request in flight, with its hash', async () => {
      // Arrange
      ddb.on(PutCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({
        Item: { ...KEY, requestHash: 'hash-other', state: 'in-progress', inProgressUntil: NOW_MS + 1 },
      });

      // Act
      const claim = await store.claim('user-a', 'key-1', 'hash-1', ENTRY_ID);

      // Assert
      expect(claim).toEqual({ outcome: 'in-progress', requestHash: 'hash-other' });
    });

    it('reports a claim past its in-flight window as abandoned, with the entry id it claimed and whether it counted it', async () => {
      // Arrange
      ddb.on(PutCommand).rejects(conditionFailed());
      const abandoned = { ...KEY, requestHash: 'hash-1', entryId: 'ENTRY-OF-FIRST-TRY', state: 'in-progress', inProgressUntil: NOW_MS - 1 };
      ddb
        .on(GetCommand)
        .resolvesOnce({ Item: abandoned })
        .resolvesOnce({ Item: { ...abandoned, quotaCounted: true } });

      // Act
      const claim = await store.claim('user-a', 'key-1', 'hash-1', ENTRY_ID);
      const suspended = await store.claim('user-a', 'key-1', 'hash-1', ENTRY_ID);

      // Assert
      expect(claim).toEqual({ outcome: 'abandoned', requestHash: 'hash-1', entryId: 'ENTRY-OF-FIRST-TRY', quotaCounted: false });
      expect(suspended).toEqual({ outcome: 'abandoned', requestHash: 'hash-1', entryId: 'ENTRY-OF-FIRST-TRY', quotaCounted: true });
      expect(ddb).toHaveReceivedCommandTimes(PutCommand, 2);
    });

    it('claims again when the conflicting claim vanished before it could be read', async () => {
      // Arrange
      ddb.on(PutCommand).rejectsOnce(conditionFailed()).resolves({});
      ddb.on(GetCommand).resolves({});

      // Act
      const claim = await store.claim('user-a', 'key-1', 'hash-1', ENTRY_ID);

      // Assert
      expect(claim).toEqual({ outcome: 'claimed' });
      expect(ddb).toHaveReceivedCommandTimes(PutCommand, 2);
    });

    it('gives up after three races and reports the key as in flight', async () => {
      // Arrange
      ddb.on(PutCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({});

      // Act
      const claim = await store.claim('user-a', 'key-1', 'hash-1', ENTRY_ID);

      // Assert
      expect(claim).toEqual({ outcome: 'in-progress', requestHash: 'hash-1' });
      expect(ddb).toHaveReceivedCommandTimes(PutCommand, 3);
    });

    it('passes other DynamoDB errors on', async () => {
      // Arrange
      ddb.on(PutCommand).rejects(new Error('ProvisionedThroughputExceededException'));

      // Act
      const attempt = store.claim('user-a', 'key-1', 'hash-1', ENTRY_ID);

      // Assert
      await expect(attempt).rejects.toThrow('ProvisionedThroughputExceededException');
      expect(ddb).not.toHaveReceivedCommand(GetCommand);
    });
  });

  describe('complete', () => {
    it('stores the answer and ends the in-flight window, only while the key is still claimed for its entry', async () => {
      // Arrange
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store.complete('user-a', 'key-1', ENTRY_ID, RESPONSE);

      // Assert
      expectSentOnceToKey(UpdateCommand, {
        UpdateExpression: 'SET #state = :completed, #response = :response REMOVE inProgressUntil, quotaCounted',
        ConditionExpression: 'entryId = :entryId',
        ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
        ExpressionAttributeValues: { ':completed': 'completed', ':response': RESPONSE, ':entryId': ENTRY_ID },
      });
    });

    it('leaves a key that is gone (its entry deleted) or claimed by another request alone, without an error', async () => {
      // Arrange
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const attempt = store.complete('user-a', 'key-1', ENTRY_ID, RESPONSE);

      // Assert
      await expect(attempt).resolves.toBeUndefined();
    });
  });

  describe.each([
    {
      method: 'release' as const,
      command: DeleteCommand,
      does: 'deletes only an in-progress claim',
      input: {
        ConditionExpression: '#state = :inProgress',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':inProgress': 'in-progress' },
      },
    },
    {
      method: 'suspend' as const,
      command: UpdateCommand,
      does: 'ends the in-flight window of an in-progress claim at once, keeping its entry id and noting its entry was counted',
      input: {
        UpdateExpression: 'SET inProgressUntil = :ended, quotaCounted = :counted',
        ConditionExpression: '#state = :inProgress',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':ended': 0, ':counted': true, ':inProgress': 'in-progress' },
      },
    },
  ])('$method', ({ method, command, does, input }) => {
    it(does, async () => {
      // Arrange
      ddb.on(command).resolves({});

      // Act
      await store[method]('user-a', 'key-1');

      // Assert
      expectSentOnceToKey(command, input);
    });

    it('is quiet when the claim is already gone or completed', async () => {
      // Arrange
      ddb.on(command).rejects(conditionFailed());

      // Act
      const attempt = store[method]('user-a', 'key-1');

      // Assert
      await expect(attempt).resolves.toBeUndefined();
    });

    it('passes other DynamoDB errors on', async () => {
      // Arrange
      ddb.on(command).rejects(new Error('InternalServerError'));

      // Act
      const attempt = store[method]('user-a', 'key-1');

      // Assert
      await expect(attempt).rejects.toThrow('InternalServerError');
    });
  });
});
