import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dynamoDbClientFor, ensureEntryTable, startDynamoDb, type DynamoDbEmulator } from '../../local/emulators/dynamodb.js';
import type { LocalStream } from '../../local/emulators/dynamodb-stream.js';
import { waitFor } from '../support/wait.js';
import { startEntryStream } from './support/entry-stream.js';

/*
 * The stream stand-in's second consumer (the entry events publisher beside the aggregator), as
 * AWS runs two event source mappings on one stream: each gets every record it filters for, with
 * its own retries, so one consumer failing neither holds up nor loses records of the other.
 */

const TABLE = 'entries-two-consumers';
let dynamo: DynamoDbEmulator;
let direct: DynamoDBClient;
let stream: LocalStream;
let writer: DynamoDBClient;

beforeEach(async () => {
  dynamo = await startDynamoDb();
  direct = dynamoDbClientFor(dynamo.endpoint);
  await ensureEntryTable(direct, TABLE);
  stream = await startEntryStream(direct, dynamo.endpoint, TABLE, {
    retryAttempts: 1,
    functionName: 'first',
    additionalConsumers: ['second'],
  });
  writer = dynamoDbClientFor(stream.endpoint);
});

afterEach(async () => {
  await stream.stop();
  writer.destroy();
  direct.destroy();
  await dynamo.stop();
});

const put = (id: string, status: string) =>
  writer.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'OWNER#a' }, sk: { S: `ENTRY#${id}` }, status: { S: status } } }));

describe('a second consumer of the local stream', () => {
  it('gets the records written before it was started, only those its filter passes, while the first consumer keeps failing', async () => {
    // Arrange
    const firstSaw: DynamoDBRecord[] = [];
    const secondSaw: DynamoDBRecord[] = [];
    stream.deliverTo(async (event) => {
      firstSaw.push(...event.Records);
      throw new Error('the first consumer is down');
    });
    await put('1', 'pending');
    await put('1', 'done');
    await put('2', 'failed');

    // Act
    stream.deliverToConsumer(
      'second',
      async (event) => {
        secondSaw.push(...event.Records);
        return { batchItemFailures: [] };
      },
      {
        filter: (record) => record.dynamodb?.NewImage?.status?.S !== 'pending',
        batchSize: 10,
        retryAttempts: 0,
        functionTimeoutSeconds: 30,
        functionName: 'second',
      },
    );
    await waitFor(() => (secondSaw.length >= 2 ? true : undefined), { timeoutMs: 10_000, what: 'the second consumer' });
    await stream.drained();

    // Assert
    expect(secondSaw.map((record) => record.dynamodb?.NewImage?.status?.S)).toEqual(['done', 'failed']);
    expect(firstSaw.length).toBeGreaterThan(0);
  });

  it('refuses a consumer it was not told of at start (its records would be missing)', () => {
    expect(() =>
      stream.deliverToConsumer('third', async () => undefined, {
        filter: () => true,
        batchSize: 1,
        retryAttempts: 0,
        functionTimeoutSeconds: 1,
        functionName: 'third',
      }),
    ).toThrow(/not a consumer/);
  });
});
