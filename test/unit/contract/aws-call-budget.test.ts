import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../lambdas/contract/aws-clients.js';
import { awsCallBudget, awsClientConfig, awsClientConfigs } from '../../../lambdas/contract/index.js';
import { AGGREGATOR_SETTINGS } from '../../../lambdas/devlog-api/aggregator/settings.js';
import { secretsManagerApiKey } from '../../../lambdas/tag-extraction/adapters/openai-tag-extractor.js';
import { lambdaContext } from '../support/lambda-context.js';
import { entryItem, streamEvent, streamRecord } from '../support/stream-records.js';

/** Slack for timers and the event loop on a busy machine. */
const SLACK_MS = 750;

/** An endpoint that accepts every request and never answers, counting them by X-Amz-Target. */
async function startHangingEndpoint() {
  const requests: string[] = [];
  const held: IncomingMessage[] = [];
  const server: Server = createServer((request) => {
    requests.push(String(request.headers['x-amz-target'] ?? `${request.method} ${request.url}`));
    held.push(request);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const savedEnv = { ...process.env };
let hanging: Awaited<ReturnType<typeof startHangingEndpoint>>;

beforeAll(async () => {
  hanging = await startHangingEndpoint();
  Object.assign(process.env, {
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: hanging.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: hanging.endpoint,
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await hanging?.stop();
});

describe('awsCallBudget', () => {
  it('gives an attempt a quarter of the function timeout, within 1 to 3 s, and two attempts per call', () => {
    expect(awsCallBudget(10)).toEqual({ maxAttempts: 2, connectionTimeoutMs: 1_000, attemptTimeoutMs: 2_500, worstCaseMs: 6_000 });
    expect(awsCallBudget(8)).toMatchObject({ attemptTimeoutMs: 2_000, worstCaseMs: 5_000 });
    expect(awsCallBudget(60)).toMatchObject({ attemptTimeoutMs: 3_000, worstCaseMs: 7_000 });
    expect(awsCallBudget(120)).toMatchObject({ attemptTimeoutMs: 3_000 });
    expect(awsCallBudget(2)).toMatchObject({ attemptTimeoutMs: 1_000 });
  });
});

describe('awsClientConfigs', () => {
  it("gives both clients the budget and the function's identity, and each its own endpoint", () => {
    const credentials = { accessKeyId: 'local-api', secretAccessKey: 'local' };
    const configs = awsClientConfigs(28, {
      region: 'eu-central-1',
      credentials,
      dynamoDbEndpoint: 'http://127.0.0.1:1',
      sqsEndpoint: 'http://127.0.0.1:2',
    });

    expect(configs).toEqual({
      dynamoDb: { ...awsClientConfig(28), region: 'eu-central-1', credentials, endpoint: 'http://127.0.0.1:1' },
      sqs: { ...awsClientConfig(28), region: 'eu-central-1', credentials, endpoint: 'http://127.0.0.1:2' },
    });
  });

  it('leaves region, credentials and endpoints to the runtime when the target names none (Lambda)', () => {
    expect(awsClientConfigs(60)).toEqual({ dynamoDb: awsClientConfig(60), sqs: awsClientConfig(60) });
  });
});

describe('the SDK clients of the functions, against a service that never answers', () => {
  it('give up on DynamoDB, SQS and Secrets Manager calls within the budget, after their attempts', async () => {
    // Arrange: the API function's clients, and the extraction's key reader sized like the API (10 s)
    const budget = awsCallBudget(10);
    const { documentClient, sqsClient } = createAwsClients(10, { sqsEndpoint: hanging.endpoint });
    const apiKey = secretsManagerApiKey('devlog/openai-api-key', 10);
    const timed = async (call: Promise<unknown>) => {
      const started = Date.now();
      const error = await call.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      return { error, ms: Date.now() - started };
    };

    // Act
    const [dynamo, sqs, secret] = await Promise.all([
      timed(documentClient.send(new GetItemCommand({ TableName: 'entries', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }))),
      timed(sqsClient.send(new SendMessageCommand({ QueueUrl: `${hanging.endpoint}/123456789012/jobs`, MessageBody: '{}' }))),
      timed(apiKey()),
    ]);

    // Assert
    for (const outcome of [dynamo, sqs, secret]) {
      expect(outcome.error).toBeInstanceOf(Error);
      expect(outcome.ms).toBeLessThan(budget.worstCaseMs + SLACK_MS);
    }
    const countOf = (prefix: string) => hanging.requests.filter((target) => target.startsWith(prefix)).length;
    expect(countOf('DynamoDB_20120810.GetItem')).toBe(budget.maxAttempts);
    expect(countOf('AmazonSQS.SendMessage')).toBe(budget.maxAttempts);
    expect(countOf('secretsmanager.GetSecretValue')).toBe(budget.maxAttempts);
    documentClient.destroy();
    sqsClient.destroy();
  });
});

describe("the aggregator's Lambda handler, against a DynamoDB that never answers", () => {
  it('reports the record for a retry within its call budget, after two attempts per call', async () => {
    // Arrange: the deployed module as Lambda loads it, its environment as the stack sets it
    const budget = awsCallBudget(AGGREGATOR_SETTINGS.functionTimeoutSeconds);
    Object.assign(process.env, { TABLE_NAME: 'entries', TAGS_TABLE_NAME: 'tags', POWERTOOLS_LOG_LEVEL: 'SILENT' });
    const { handler } = await import('../../../lambdas/devlog-api/aggregator/handler.js');
    const record = streamRecord({
      oldItem: entryItem('alice', '01JDQ8Z6X4M1V9T3K7N2P5G000', []),
      newItem: entryItem('alice', '01JDQ8Z6X4M1V9T3K7N2P5G000', ['Django']),
    });
    const before = hanging.requests.length;
    const started = Date.now();

    // Act
    const response = await handler(streamEvent(record), lambdaContext('tech-stack-aggregator'));

    // Assert: the entry and its applied record are read at once, each given up after its attempts
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.dynamodb?.SequenceNumber }]);
    expect(Date.now() - started).toBeLessThan(budget.worstCaseMs + SLACK_MS);
    expect(hanging.requests.slice(before).filter((target) => target === 'DynamoDB_20120810.GetItem')).toHaveLength(2 * budget.maxAttempts);
  }, 20_000);
});
