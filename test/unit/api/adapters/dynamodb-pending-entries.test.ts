import 'aws-sdk-client-mock-vitest/extend';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbPendingEntries } from '../../../../lambdas/api/adapters/dynamodb-pending-entries.js';
import { ENTRY_TABLE } from '../../../../lambdas/contract/index.js';

const TABLE = 'entries-test';
const ID = '01JDQ8Z6X4M1V9T3K7N2P5R8WA';
const CUTOFF = new Date('2026-11-23T09:55:00.000Z');
const NOW = new Date('2026-11-23T10:00:00.000Z');

const ddb = mockClient(DynamoDBDocumentClient);
const pending = new DynamoDbPendingEntries(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1' })), TABLE);

beforeEach(() => {
  ddb.reset();
});

describe('DynamoDbPendingEntries', () => {
  describe('findSentBefore', () => {
    it('queries the sparse pending index for jobs sent before the cutoff, never scanning', async () => {
      // Arrange
      ddb.on(QueryCommand).resolves({ Items: [{ ownerId: 'user-a', id: ID, pendingBucket: 'pending', enqueuedAt: '2026-11-23T09:00:00.000Z' }] });

      // Act
      const page = await pending.findSentBefore(CUTOFF, 25);

      // Assert
      expect(page).toEqual({ items: [{ ownerId: 'user-a', id: ID }], next: undefined });
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(QueryCommand, {
        TableName: TABLE,
        IndexName: ENTRY_TABLE.pendingIndex.name,
        KeyConditionExpression: '#bucket = :pending AND #sentAt < :cutoff',
        ExpressionAttributeNames: { '#bucket': 'pendingBucket', '#sentAt': 'enqueuedAt' },
        ExpressionAttributeValues: { ':pending': 'pending', ':cutoff': '2026-11-23T09:55:00.000Z' },
        Limit: 25,
      });
    });

    it('hands the position back and continues from it', async () => {
      // Arrange
      const position = { pk: 'OWNER#user-a', sk: `ENTRY#${ID}`, pendingBucket: 'pending', enqueuedAt: '2026-11-23T09:00:00.000Z' };
      ddb.on(QueryCommand).resolvesOnce({ Items: [], LastEvaluatedKey: position }).resolves({ Items: [] });

      // Act
      const first = await pending.findSentBefore(CUTOFF, 10);
      const second = await pending.findSentBefore(CUTOFF, 10, first.next);

      // Assert
      expect(first.next).toEqual(position);
      expect(second.next).toBeUndefined();
      expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 2, { ExclusiveStartKey: position });
    });
  });

  describe('markResent', () => {
    it('moves a still-pending entry to the end of the index and returns it with its revision', async () => {
      // Arrange
      ddb.on(UpdateCommand).resolves({});
      ddb.on(GetCommand).resolves({ Item: { revision: 3 } });

      // Act
      const marked = await pending.markResent({ ownerId: 'user-a', id: ID }, NOW);

      // Assert
      expect(marked).toEqual({ ownerId: 'user-a', id: ID, revision: 3 });
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(GetCommand, {
        TableName: TABLE,
        Key: { pk: 'OWNER#user-a', sk: `ENTRY#${ID}` },
        ConsistentRead: true,
        ProjectionExpression: 'revision',
      });
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
        TableName: TABLE,
        Key: { pk: 'OWNER#user-a', sk: `ENTRY#${ID}` },
        UpdateExpression: 'SET enqueuedAt = :at',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':at': '2026-11-23T10:00:00.000Z', ':pending': 'pending' },
      });
    });

    it('reads an entry stored before edits existed as revision 1', async () => {
      // Arrange
      ddb.on(UpdateCommand).resolves({});
      ddb.on(GetCommand).resolves({ Item: {} });

      // Act + Assert
      expect(await pending.markResent({ ownerId: 'user-a', id: ID }, NOW)).toEqual({ ownerId: 'user-a', id: ID, revision: 1 });
    });

    it('reports an entry that was tagged or failed meanwhile', async () => {
      // Arrange
      ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));

      // Act
      const marked = await pending.markResent({ ownerId: 'user-a', id: ID }, NOW);

      // Assert
      expect(marked).toBeUndefined();
      expect(ddb).not.toHaveReceivedCommand(GetCommand);
    });

    it('passes other errors on', async () => {
      // Arrange
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act + Assert
      await expect(pending.markResent({ ownerId: 'user-a', id: ID }, NOW)).rejects.toThrow('InternalServerError');
    });
  });
});
