import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbQuotaCounter } from '../../../../lambdas/devlog-api/adapters/dynamodb-quota-counter.js';
import { conditionFailed } from '../../support/dynamodb-errors.js';

const TABLE = 'entries-test';
const WINDOW = { id: '2026-11-23', endsAt: new Date('2026-11-24T00:00:00.000Z') };
const KEY = { pk: 'OWNER#user-a', sk: 'QUOTA#2026-11-23' };

const ddb = mockClient(DynamoDBDocumentClient);
const counter = new DynamoDbQuotaCounter(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1' })), TABLE);

beforeEach(() => {
  ddb.reset();
});

describe('DynamoDbQuotaCounter', () => {
  it('adds one with a single conditional update below the limit and sets the TTL once', async () => {
    // Arrange
    ddb.on(UpdateCommand).resolves({ Attributes: { entryCount: 7 } });

    // Act
    const count = await counter.increment('user-a', WINDOW, 1000, new Date('2026-11-25T00:00:00.000Z'));

    // Assert
    expect(count).toBe(7);
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
      TableName: TABLE,
      Key: KEY,
      UpdateExpression: 'SET #expiresAt = if_not_exists(#expiresAt, :expiresAt) ADD #count :one',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
      ExpressionAttributeNames: { '#count': 'entryCount', '#expiresAt': 'expiresAt' },
      ExpressionAttributeValues: { ':one': 1, ':limit': 1000, ':expiresAt': Date.parse('2026-11-25T00:00:00.000Z') / 1000 },
      ReturnValues: 'UPDATED_NEW',
    });
  });

  it('answers undefined when the condition fails (the limit is reached)', async () => {
    // Arrange
    ddb.on(UpdateCommand).rejects(conditionFailed());

    // Act
    const count = await counter.increment('user-a', WINDOW, 1000, new Date('2026-11-25T00:00:00.000Z'));

    // Assert
    expect(count).toBeUndefined();
  });

  it('passes other failures on', async () => {
    // Arrange
    ddb.on(UpdateCommand).rejects(new Error('throttled'));

    // Act
    const attempt = counter.increment('user-a', WINDOW, 1000, new Date('2026-11-25T00:00:00.000Z'));

    // Assert
    await expect(attempt).rejects.toThrow('throttled');
  });

  it('reads the count consistently, 0 before the first entry of the day', async () => {
    // Arrange
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: { entryCount: 3 } })
      .resolvesOnce({});

    // Act
    const counts = [await counter.read('user-a', WINDOW), await counter.read('user-a', WINDOW)];

    // Assert
    expect(counts).toEqual([3, 0]);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: TABLE, Key: KEY, ConsistentRead: true });
  });

  it('takes one back with a conditional update that never goes below zero, quiet when there is nothing to take', async () => {
    // Arrange
    ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed());

    // Act
    await counter.decrement('user-a', WINDOW.id);
    await counter.decrement('user-a', WINDOW.id);

    // Assert
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 2);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: TABLE,
      Key: KEY,
      UpdateExpression: 'ADD #count :minusOne',
      ConditionExpression: '#count > :zero',
      ExpressionAttributeNames: { '#count': 'entryCount' },
      ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
    });
  });
});
