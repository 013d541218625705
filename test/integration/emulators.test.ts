import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient, GetSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_TABLE, PENDING_BUCKET } from '../../lambdas/contract/index.js';
import { sparseIndexPage } from '../../lambdas/devlog-api/adapters/sparse-index-page.js';
import { dynamoDbClientFor, ensureEntryTable, ensureKeyedTable, startDynamoDb } from '../../local/emulators/dynamodb.js';
import { ensureJobQueues } from '../../local/emulators/sqs.js';
import { LOCAL_RESOURCES } from '../../local/settings.js';
import { eventually, startTestEmulators, TEST_OPENAI_KEY, TEST_SECRET_ID, type TestEmulators } from './support/emulators.js';

/*
 * What the local stack relies on from the emulators, checked through the real SDK. If an
 * emulator upgrade drops one of these, this file says which, before a handler test fails
 * for a reason that is hard to see.
 */

let emulators: TestEmulators;

beforeAll(async () => {
  emulators = await startTestEmulators();
});

afterAll(async () => {
  await emulators?.stop();
});

describe('DynamoDB emulator (dynalite)', () => {
  it('has a table the ensure functions created ready for reads and writes when they return (not still CREATING)', async () => {
    const slow = await startDynamoDb({ createTableMs: 300 });
    const client = dynamoDbClientFor(slow.endpoint);
    try {
      await ensureKeyedTable(client, 'keyed', { partitionKey: 'pk', sortKey: 'sk' });
      await ensureEntryTable(client, 'entries');

      const slowDocuments = DynamoDBDocumentClient.from(client);
      for (const TableName of ['keyed', 'entries']) {
        await expect(slowDocuments.send(new PutCommand({ TableName, Item: { pk: 'p', sk: 's' } }))).resolves.toBeDefined();
      }
    } finally {
      client.destroy();
      await slow.stop();
    }
  });

  it('rejects a conditional put on an existing key and applies a conditional update only when it holds', async () => {
    const key = { pk: 'OWNER#cond', sk: 'ENTRY#1' };
    const put = () =>
      emulators.documents.send(
        new PutCommand({
          TableName: emulators.tableName,
          Item: { ...key, status: 'pending' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    await put();

    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const update = (expected: string) =>
      emulators.documents.send(
        new UpdateCommand({
          TableName: emulators.tableName,
          Key: key,
          UpdateExpression: 'SET #status = :done',
          ConditionExpression: '#status = :expected',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':done': 'done', ':expected': expected },
        }),
      );
    await expect(update('failed')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await update('pending');
    const { Item } = await emulators.documents.send(new GetCommand({ TableName: emulators.tableName, Key: key, ConsistentRead: true }));
    expect(Item?.status).toBe('done');
  });

  it('queries the sparse pending index in order, page by page, without items that left it', async () => {
    const { partitionKey, sortKey } = ENTRY_TABLE.pendingIndex;
    for (let index = 0; index < 5; index++) {
      await emulators.documents.send(
        new PutCommand({
          TableName: emulators.tableName,
          Item: {
            pk: 'OWNER#gsi',
            sk: `ENTRY#${index}`,
            id: String(index),
            ownerId: 'gsi',
            createdAt: `2026-01-0${index + 1}T00:00:00.000Z`,
            [sortKey]: `2026-01-0${index + 1}T00:00:00.000Z`,
            // Entry 2 is done: no bucket attribute, so not in the sparse index.
            ...(index === 2 ? {} : { [partitionKey]: PENDING_BUCKET }),
          },
        }),
      );
    }

    const seen: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const page = await emulators.documents.send(
        new QueryCommand(sparseIndexPage(emulators.tableName, ENTRY_TABLE.pendingIndex, PENDING_BUCKET, 2, startKey)),
      );
      seen.push(...(page.Items ?? []).filter((item) => item.ownerId === 'gsi').map((item) => String(item.id)));
      startKey = page.LastEvaluatedKey;
      pages++;
    } while (startKey);

    expect(seen).toEqual(['0', '1', '3', '4']);
    expect(pages).toBeGreaterThan(1);
  });

  it('stores the TTL attribute as a plain number and never expires items (UpdateTimeToLive is not supported)', async () => {
    const key = { pk: 'OWNER#ttl', sk: 'IDEMPOTENCY#k' };
    const expiredLongAgo = 1_000;
    await emulators.documents.send(
      new PutCommand({ TableName: emulators.tableName, Item: { ...key, [ENTRY_TABLE.ttlAttribute]: expiredLongAgo } }),
    );

    const { Item } = await emulators.documents.send(new GetCommand({ TableName: emulators.tableName, Key: key }));

    expect(Item?.[ENTRY_TABLE.ttlAttribute]).toBe(expiredLongAgo);
    await expect(
      emulators.dynamoDb.send(
        new UpdateTimeToLiveCommand({
          TableName: emulators.tableName,
          TimeToLiveSpecification: { AttributeName: ENTRY_TABLE.ttlAttribute, Enabled: true },
        }),
      ),
    ).rejects.toThrow();
  });
});

describe('SQS emulator (fauxqs)', () => {
  const receive = async (queueUrl: string, options: { wait?: number; visibility?: number } = {}): Promise<Message[]> => {
    const { Messages = [] } = await emulators.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: options.wait ?? 0,
        VisibilityTimeout: options.visibility,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp'],
      }),
    );
    return Messages;
  };
  /** Job queues named `name` (and `name-dlq`) with `options`, holding one message whose body is `body`. */
  const queuesHolding = async (body: string, name: string, options: Parameters<typeof ensureJobQueues>[2] = {}) => {
    const queues = await ensureJobQueues(emulators.sqs, { queueName: name, deadLetterQueueName: `${name}-dlq` }, options);
    await emulators.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: body }));
    return queues;
  };

  it('hides a received message for the visibility timeout, counts receives, and honours ChangeMessageVisibility', async () => {
    const queues = await queuesHolding('job', 'visibility');

    const [first] = await receive(queues.queueUrl);
    expect(first?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(first?.Attributes).toHaveProperty('SentTimestamp');
    expect(first?.Attributes).toHaveProperty('SenderId');
    expect(await receive(queues.queueUrl)).toHaveLength(0);

    await emulators.sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: queues.queueUrl, ReceiptHandle: first!.ReceiptHandle, VisibilityTimeout: 0 }),
    );
    const [second] = await receive(queues.queueUrl);

    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('makes a message visible again once a short visibility timeout passes', async () => {
    const queues = await queuesHolding('job', 'short-visibility', { visibilityTimeoutSeconds: 1 });
    await receive(queues.queueUrl);

    const again = await eventually(async () => (await receive(queues.queueUrl))[0], 5_000, 'redelivery');

    expect(again.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('moves a message to the DLQ after maxReceiveCount receives', async () => {
    const queues = await queuesHolding('poison', 'redrive', { maxReceiveCount: 2 });

    for (let attempt = 1; attempt <= 2; attempt++) {
      const [message] = await receive(queues.queueUrl, { visibility: 0 });
      expect(message?.Attributes?.ApproximateReceiveCount).toBe(String(attempt));
    }
    const afterLimit = await receive(queues.queueUrl);
    const dead = await eventually(async () => (await receive(queues.deadLetterQueueUrl))[0], 5_000, 'the DLQ message');

    expect(afterLimit).toHaveLength(0);
    expect(dead.Body).toBe('poison');
  });

  it('answers a long poll as soon as a message arrives', async () => {
    const queues = await ensureJobQueues(emulators.sqs, { queueName: 'long-poll', deadLetterQueueName: 'long-poll-dlq' });
    const started = Date.now();
    const polling = receive(queues.queueUrl, { wait: 10 });
    setTimeout(() => void emulators.sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: 'late' })), 300);

    const messages = await polling;
    const elapsed = Date.now() - started;

    expect(messages.map((message) => message.Body)).toEqual(['late']);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('rejects messages over 256 KiB, like SQS', async () => {
    const send = emulators.sqs.send(new SendMessageCommand({ QueueUrl: emulators.queues.queueUrl, MessageBody: 'x'.repeat(262_145) }));

    await expect(send).rejects.toThrow();
  });
});

describe('Secrets Manager stand-in', () => {
  it('serves GetSecretValue to an SDK client configured only through AWS_ENDPOINT_URL_SECRETS_MANAGER', async () => {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = emulators.secrets.endpoint;
    const client = new SecretsManagerClient({ region: LOCAL_RESOURCES.region, credentials: LOCAL_RESOURCES.credentials });
    try {
      const byName = await client.send(new GetSecretValueCommand({ SecretId: TEST_SECRET_ID }));
      const byArn = await client.send(new GetSecretValueCommand({ SecretId: byName.ARN }));

      expect(byName.SecretString).toBe(TEST_OPENAI_KEY);
      expect(byArn.SecretString).toBe(TEST_OPENAI_KEY);
      await expect(client.send(new GetSecretValueCommand({ SecretId: 'missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    } finally {
      client.destroy();
      delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    }
  });
});
