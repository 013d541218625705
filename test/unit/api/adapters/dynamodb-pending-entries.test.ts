import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbPendingEntries, RECONCILER_READ_ATTRIBUTES } from '../../../../lambdas/devlog-api/adapters/dynamodb-pending-entries.js';
import { ENTRY_TABLE } from '../../../../lambdas/contract/index.js';
import { conditionFailed } from '../../support/dynamodb-errors.js';

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
      ddb
        .on(QueryCommand)
        .resolves({ Items: [{ ownerId: 'user-a', id: ID, pendingBucket: 'pending', enqueuedAt: '2026-11-23T09:00:00.000Z' }] });

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

  describe('oldestSentAt', () => {
    it('reads the send time of the first item of the pending index, one item only', async () => {
      ddb
        .on(QueryCommand)
        .resolves({ Items: [{ ownerId: 'user-a', id: ID, pendingBucket: 'pending', enqueuedAt: '2026-11-23T09:00:00.000Z' }] });

      expect(await pending.oldestSentAt()).toEqual(new Date('2026-11-23T09:00:00.000Z'));
      expect(ddb).toHaveReceivedCommandWith(QueryCommand, { IndexName: ENTRY_TABLE.pendingIndex.name, Limit: 1 });
    });

    it('is undefined when nothing is pending', async () => {
      ddb.on(QueryCommand).resolves({ Items: [] });

      expect(await pending.oldestSentAt()).toBeUndefined();
    });
  });

  describe('markResent', () => {
    const PENDING_SINCE = '2026-11-23T08:00:00.000Z';

    it('moves a still-pending entry to the end of the index, counts the re-send, and returns it with its revision', async () => {
      // Arrange
      ddb.on(UpdateCommand).resolves({});
      ddb.on(GetCommand).resolves({ Item: { status: 'pending', updatedAt: PENDING_SINCE, revision: 3 } });

      // Act
      const marked = await pending.markResent({ ownerId: 'user-a', id: ID }, NOW);

      // Assert
      expect(marked).toEqual({ ownerId: 'user-a', id: ID, revision: 3, pendingSince: new Date(PENDING_SINCE), resends: 1 });
      expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'OWNER#user-a', sk: `ENTRY#${ID}` }, ConsistentRead: true });
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
        TableName: TABLE,
        Key: { pk: 'OWNER#user-a', sk: `ENTRY#${ID}` },
        UpdateExpression: 'SET enqueuedAt = :at, #count = :resends, #since = :since',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status', '#count': 'resendCount', '#since': 'resendsSince' },
        ExpressionAttributeValues: { ':at': '2026-11-23T10:00:00.000Z', ':pending': 'pending', ':resends': 1, ':since': PENDING_SINCE },
      });
    });

    it('reads only the attributes its IAM policy allows', async () => {
      ddb.on(UpdateCommand).resolves({});
      ddb.on(GetCommand).resolves({ Item: { status: 'pending', updatedAt: PENDING_SINCE } });

      await pending.markResent({ ownerId: 'user-a', id: ID }, NOW);

      const get = ddb.commandCalls(GetCommand)[0]!.args[0].input;
      expect(Object.values(get.ExpressionAttributeNames ?? {}).sort()).toEqual([...RECONCILER_READ_ATTRIBUTES].sort());
    });

    it('counts on from the re-sends since the entry last became pending, and starts over after it became pending again', async () => {
      // Arrange
      ddb.on(UpdateCommand).resolves({});
      ddb
        .on(GetCommand)
        .resolvesOnce({ Item: { status: 'pending', updatedAt: PENDING_SINCE, resendCount: 2, resendsSince: PENDING_SINCE } })
        .resolves({ Item: { status: 'pending', updatedAt: '2026-11-23T09:30:00.000Z', resendCount: 4, resendsSince: PENDING_SINCE } });

      // Act
      const same = await pending.markResent({ ownerId: 'user-a', id: ID }, NOW);
      const editedSince = await pending.markResent({ ownerId: 'user-a', id: ID }, NOW);

      // Assert
      expect([same?.resends, editedSince?.resends]).toEqual([3, 1]);
    });

    it('reads an entry stored before edits existed as revision 1', async () => {
      // Arrange
      ddb.on(UpdateCommand).resolves({});
      ddb.on(GetCommand).resolves({ Item: { status: 'pending', updatedAt: PENDING_SINCE } });

      // Act + Assert
      expect(await pending.markResent({ ownerId: 'user-a', id: ID }, NOW)).toMatchObject({ revision: 1 });
    });

    it.each([
      ['tagged or failed before the read', { Item: { status: 'done', updatedAt: PENDING_SINCE } }, undefined],
      ['deleted', { Item: undefined }, undefined],
      ['tagged or failed between the read and the update', { Item: { status: 'pending', updatedAt: PENDING_SINCE } }, 'condition'],
    ])('reports an entry %s', async (_case, read, update) => {
      // Arrange
      ddb.on(GetCommand).resolves(read);
      if (update) ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act + Assert
      expect(await pending.markResent({ ownerId: 'user-a', id: ID }, NOW)).toBeUndefined();
      if (!update) expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    });

    it('passes other errors on', async () => {
      // Arrange
      ddb.on(GetCommand).resolves({ Item: { status: 'pending', updatedAt: PENDING_SINCE } });
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act + Assert
      await expect(pending.markResent({ ownerId: 'user-a', id: ID }, NOW)).rejects.toThrow('InternalServerError');
    });
  });
});
