import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { JobMessageSchema } from '../../../lambdas/contract/index.js';
import { createAwsClients } from '../../../lambdas/contract/aws-clients.js';
import { readApiEnv } from '../../../lambdas/devlog-api/api/env.js';
import { type ApiHandler, createApiHandler } from '../../../lambdas/devlog-api/api/handler-factory.js';
import { apiEvent, postEntryEvent } from '../support/api-events.js';
import { capturedLogger } from '../support/captured-logger.js';
import { lambdaContext } from '../support/lambda-context.js';

const TABLE = 'devlog-entries-test';
const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/devlog-jobs-test';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const ddb = mockClient(DynamoDBDocumentClient);
const rawDdb = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
const context = lambdaContext('devlog-api');

let logged: Record<string, unknown>[];
let handler: ApiHandler;

beforeEach(() => {
  ddb.reset();
  rawDdb.reset();
  sqs.reset();
  // A fresh container per test, built as handler.ts builds it (aws-sdk-client-mock answers for every client instance).
  const { logger, lines } = capturedLogger('devlog-api');
  logged = lines;
  const clients = createAwsClients(10, { region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  handler = createApiHandler(readApiEnv({ TABLE_NAME: TABLE, TAGS_TABLE_NAME: 'devlog-tags-test', QUEUE_URL }), { ...clients, logger });
  // The daily quota's counter: the first entry of the day (a test that needs another count overrides it).
  ddb.on(UpdateCommand).resolves({ Attributes: { entryCount: 1 } });
});

function bodyOf(result: { body?: string }): Record<string, unknown> {
  return JSON.parse(result.body ?? 'null') as Record<string, unknown>;
}

describe('API handler', () => {
  it('accepts a POST: a pending entry in DynamoDB, a contract message in SQS, 202 with the entry', async () => {
    // Arrange
    ddb.on(PutCommand).resolves({});
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });

    // Act
    const result = await handler(postEntryEvent({ entry: 'Heute: Django und Elasticsearch' }, {}, 'user-a'), context);

    // Assert
    expect(result.statusCode).toBe(202);
    const body = bodyOf(result);
    expect(body.id).toMatch(ULID);
    expect(result.headers?.location).toBe(`/logs/${body.id as string}`);
    expect(body).toMatchObject({ entry: 'Heute: Django und Elasticsearch', status: 'pending', tags: [] });

    expect(ddb).toHaveReceivedCommandExactlyOnceWith(PutCommand, {
      TableName: TABLE,
      Item: expect.objectContaining({
        pk: 'OWNER#user-a',
        sk: `ENTRY#${body.id as string}`,
        status: 'pending',
        pendingBucket: 'pending',
        entry: 'Heute: Django und Elasticsearch',
      }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(sqs).toHaveReceivedCommandExactlyOnceWith(SendMessageCommand, { QueueUrl: QUEUE_URL });
    const message = JobMessageSchema.parse(JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!));
    expect(message).toMatchObject({ version: 2, entryId: body.id, ownerId: 'user-a', revision: 1 });
    expect(rawDdb).not.toHaveReceivedAnyCommand();
  });

  it('gives successive entries increasing ids, so lists sort by time', async () => {
    // Arrange
    ddb.on(PutCommand).resolves({});
    sqs.on(SendMessageCommand).resolves({});

    // Act
    const first = bodyOf(await handler(postEntryEvent({ entry: 'one' }), context)).id as string;
    const second = bodyOf(await handler(postEntryEvent({ entry: 'two' }), context)).id as string;

    // Assert
    expect(second > first).toBe(true);
  });

  it('still answers 202 when SQS fails, and logs the entry id for the reconciler', async () => {
    // Arrange
    ddb.on(PutCommand).resolves({});
    sqs.on(SendMessageCommand).rejects(new Error('ServiceUnavailable'));

    // Act
    const result = await handler(postEntryEvent({ entry: 'Used Kafka' }), context);

    // Assert
    expect(result.statusCode).toBe(202);
    const id = bodyOf(result).id;
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'ERROR', entryId: id, message: expect.stringContaining('enqueue failed') }),
    );
  });

  it('answers 500 problem+json when DynamoDB fails, and sends no job', async () => {
    // Arrange
    ddb.on(PutCommand).rejects(new Error('ProvisionedThroughputExceededException: devlog-entries-test'));

    // Act
    const result = await handler(postEntryEvent({ entry: 'Used Kafka' }), context);

    // Assert
    expect(result.statusCode).toBe(500);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(result.body).not.toContain('ProvisionedThroughput');
    expect(sqs).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('answers an invalid POST without touching DynamoDB or SQS', async () => {
    // Act
    const result = await handler(postEntryEvent('{"entry": 42}'), context);

    // Assert
    expect(result.statusCode).toBe(422);
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(sqs).not.toHaveReceivedAnyCommand();
  });

  it('claims the Idempotency-Key, counts the entry against the quota, writes it, then completes the key', async () => {
    // Arrange
    ddb.on(PutCommand).resolves({});
    sqs.on(SendMessageCommand).resolves({});

    // Act
    const result = await handler(postEntryEvent({ entry: 'Used Kafka' }, { 'idempotency-key': 'key-1' }), context);

    // Assert
    expect(result.statusCode).toBe(202);
    const sortKeys = ddb.calls().map((call) => {
      const input = call.args[0].input as { Item?: { sk: string }; Key?: { sk: string } };
      return `${call.args[0].constructor.name}:${(input.Item ?? input.Key)!.sk.split('#')[0]}`;
    });
    expect(sortKeys).toEqual(['PutCommand:IDEMPOTENCY', 'UpdateCommand:QUOTA', 'PutCommand:ENTRY', 'UpdateCommand:IDEMPOTENCY']);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { pk: 'OWNER#user-a', sk: 'IDEMPOTENCY#key-1' },
      ExpressionAttributeValues: expect.objectContaining({
        ':response': expect.objectContaining({ statusCode: 202, location: result.headers?.location }),
      }),
    });
  });

  it("returns the caller's entry by id, read with the caller's key", async () => {
    // Arrange
    const id = '01JDQ8Z6X4M1V9T3K7N2P5R8WA';
    ddb.on(GetCommand).resolves({
      Item: {
        pk: 'OWNER#user-a',
        sk: `ENTRY#${id}`,
        id,
        ownerId: 'user-a',
        entry: 'Used Django',
        status: 'done',
        tags: [{ type: 'tech-stack', value: 'Django' }],
        createdAt: '2026-11-23T10:00:00.000Z',
        updatedAt: '2026-11-23T10:00:03.000Z',
      },
    });

    // Act
    const result = await handler(apiEvent({ method: 'GET', path: `/logs/${id}` }), context);

    // Assert
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({
      id,
      entry: 'Used Django',
      status: 'done',
      tags: [{ type: 'tech-stack', value: 'Django' }],
      revision: 1,
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:00:03.000Z',
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'OWNER#user-a', sk: `ENTRY#${id}` } });
  });

  it("answers 404 problem+json when the item is not in the caller's partition", async () => {
    // Arrange
    ddb.on(GetCommand).resolves({});

    // Act
    const result = await handler(apiEvent({ method: 'GET', path: '/logs/01JDQ8Z6X4M1V9T3K7N2P5R8WA', sub: 'user-b' }), context);

    // Assert
    expect(result.statusCode).toBe(404);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
  });

  it('lists entries with a cursor that leads to the next page', async () => {
    // Arrange
    const id = '01JDQ8Z6X4M1V9T3K7N2P5R8WA';
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [
          {
            pk: 'OWNER#user-a',
            sk: `ENTRY#${id}`,
            id,
            ownerId: 'user-a',
            entry: 'x',
            status: 'pending',
            tags: [],
            createdAt: '2026-11-23T10:00:00.000Z',
            updatedAt: '2026-11-23T10:00:00.000Z',
          },
        ],
        LastEvaluatedKey: { pk: 'OWNER#user-a', sk: `ENTRY#${id}` },
      })
      .resolves({ Items: [] });
    const firstPage = bodyOf(await handler(apiEvent({ method: 'GET', path: '/logs', query: { limit: '1' } }), context));

    // Act
    const secondPage = bodyOf(
      await handler(apiEvent({ method: 'GET', path: '/logs', query: { limit: '1', cursor: firstPage.nextCursor as string } }), context),
    );

    // Assert
    expect((firstPage.items as { id: string }[]).map((item) => item.id)).toEqual([id]);
    expect(secondPage).toEqual({ items: [] });
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 2, {
      ExclusiveStartKey: { pk: 'OWNER#user-a', sk: `ENTRY#${id}` },
    });
  });
});
