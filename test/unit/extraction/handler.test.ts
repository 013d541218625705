import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { VALID_JOB_MESSAGE } from '../../../lambdas/contract/fixtures/index.js';
import { createAwsClients } from '../../../lambdas/contract/aws-clients.js';
import { readExtractionEnv } from '../../../lambdas/tag-extraction/env.js';
import {
  createExtractionHandler,
  type ExtractionHandler,
  type ExtractionHandlerDeps,
} from '../../../lambdas/tag-extraction/handler-factory.js';
import { deadlineReserve } from '../../../lambdas/tag-extraction/invocation-deadlines.js';
import { type ModelServer, startModelServer } from '../../../tools/tag-extraction/model-server/index.js';
import { EXTRACTION_SERVICE_VERSION } from '../../../lambdas/tag-extraction/version.js';
import { UnpublishedMetrics } from '../../../local/handlers.js';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EXTRACTION_TELEMETRY } from '../../../lambdas/tag-extraction/telemetry.js';
import { capturedLogger } from '../support/captured-logger.js';
import { lambdaContext } from '../support/lambda-context.js';
import { sqsEvent, sqsRecord } from '../support/sqs-records.js';

const TABLE = 'devlog-entries-test';
const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/devlog-jobs-test';
const SECRET_ID = 'devlog/openai-api-key';
const GOOD_ID = '01JDQ8Z6X4M1V9T3K7N2P5R8WA';
const FAILING_ID = '01JDQ8Z6X4M1V9T3K7N2P5R8WB';
const GOOD_TEXT = 'Heute habe ich eine Anwendung mit Django geschrieben, Suche über Elasticsearch.';
const FAILING_TEXT = 'Kafka migration, part 2 (OpenAI will be down for this one)';

const ddb = mockClient(DynamoDBDocumentClient);
const rawDdb = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
const secrets = mockClient(SecretsManagerClient);
const context = lambdaContext('tag-extraction');

let server: ModelServer;
let handler: ExtractionHandler;

function job(entryId: string) {
  return JSON.stringify({ ...VALID_JOB_MESSAGE, entryId });
}

beforeAll(async () => {
  server = await startModelServer();
});

afterAll(async () => {
  await server.stop();
});

/** A container built as handler.ts builds it, with `extraEnv` and the given metrics. */
function buildHandler(
  extraEnv: Record<string, string> = {},
  metrics: ExtractionHandlerDeps['metrics'] = new UnpublishedMetrics(),
  logger: ExtractionHandlerDeps['logger'] = capturedLogger('tag-extraction').logger,
): ExtractionHandler {
  const env = readExtractionEnv({
    TABLE_NAME: TABLE,
    QUEUE_URL,
    OPENAI_SECRET_ID: SECRET_ID,
    OPENAI_BASE_URL: server.baseUrl,
    OPENAI_TIMEOUT_MS: '2000',
    ...extraEnv,
  });
  const target = { region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  return createExtractionHandler(env, {
    ...createAwsClients(env.FUNCTION_TIMEOUT_SECONDS, target),
    logger,
    metrics,
    secretsManager: target,
  });
}

beforeEach(() => {
  // A fresh container per test, built as handler.ts builds it: the handler caches the secret
  // for minutes, so each test starts cold (aws-sdk-client-mock answers for every client instance).
  handler = buildHandler();
  ddb.reset();
  rawDdb.reset();
  sqs.reset();
  secrets.reset();
  server.clearRecording();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'sk-from-secrets-manager' });
  ddb.on(GetCommand, { Key: { pk: 'OWNER#user-a', sk: `ENTRY#${GOOD_ID}` } }).resolves({ Item: { entry: GOOD_TEXT, status: 'pending' } });
  ddb
    .on(GetCommand, { Key: { pk: 'OWNER#user-a', sk: `ENTRY#${FAILING_ID}` } })
    .resolves({ Item: { entry: FAILING_TEXT, status: 'pending' } });
  ddb.on(UpdateCommand).resolves({});
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
  server.answer = ({ entry }) =>
    entry === FAILING_TEXT
      ? { status: 503, error: { message: 'The engine is currently overloaded', type: 'server_error' } }
      : { technologies: ['Django', 'Elasticsearch', 'Python'], model: 'gpt-4o-mini-2024-07-18' };
});

describe('extraction handler', () => {
  it('reports exactly the invalid record and the one whose OpenAI call failed, and tags the good one', async () => {
    // Arrange
    const event = sqsEvent(
      sqsRecord(job(GOOD_ID), { messageId: 'good' }),
      sqsRecord('{"version":1,', { messageId: 'invalid' }),
      sqsRecord(job(FAILING_ID), { messageId: 'openai-fails' }),
    );

    // Act
    const response = await handler(event, context);

    // Assert
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(['invalid', 'openai-fails']);
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
      TableName: TABLE,
      Key: { pk: 'OWNER#user-a', sk: `ENTRY#${GOOD_ID}` },
      ExpressionAttributeValues: expect.objectContaining({
        ':done': 'done',
        ':tags': [
          { type: 'tech-stack', value: 'Django' },
          { type: 'tech-stack', value: 'Elasticsearch' },
        ],
        ':model': 'gpt-4o-mini-2024-07-18',
        ':extractorVersion': EXTRACTION_SERVICE_VERSION,
      }),
    });
    expect(rawDdb).not.toHaveReceivedAnyCommand();
  });

  it('schedules the retries: the invalid message at once, the failed call after a backoff', async () => {
    // Arrange
    const event = sqsEvent(sqsRecord('{"version":1,', { messageId: 'invalid' }), sqsRecord(job(FAILING_ID), { messageId: 'openai-fails' }));

    // Act
    await handler(event, context);

    // Assert
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, {
      QueueUrl: QUEUE_URL,
      ReceiptHandle: 'receipt-invalid',
      VisibilityTimeout: 0,
    });
    const retry = sqs
      .commandCalls(ChangeMessageVisibilityCommand)
      .find((call) => call.args[0].input.ReceiptHandle === 'receipt-openai-fails');
    expect(retry?.args[0].input.VisibilityTimeout).toBeGreaterThanOrEqual(5);
    expect(retry?.args[0].input.VisibilityTimeout).toBeLessThanOrEqual(10);
  });

  it('calls OpenAI with the key from Secrets Manager and the entry as data', async () => {
    // Arrange
    const event = sqsEvent(sqsRecord(job(GOOD_ID), { messageId: 'good' }));

    // Act
    const response = await handler(event, context);

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ID });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer sk-from-secrets-manager');
    expect(server.requests[0]!.entry).toBe(GOOD_TEXT);
  });

  it('marks the entry failed when the last receive fails, and still reports the record', async () => {
    // Arrange
    const event = sqsEvent(sqsRecord(job(FAILING_ID), { messageId: 'openai-fails', receiveCount: 5 }));

    // Act
    const response = await handler(event, context);

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'openai-fails' }]);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { pk: 'OWNER#user-a', sk: `ENTRY#${FAILING_ID}` },
      ExpressionAttributeValues: expect.objectContaining({ ':failed': 'failed' }),
    });
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, {
      ReceiptHandle: 'receipt-openai-fails',
      VisibilityTimeout: 0,
    });
  });

  it('skips an entry that is already done without calling OpenAI', async () => {
    // Arrange
    ddb.on(GetCommand).resolves({ Item: { entry: GOOD_TEXT, status: 'done', promptVersion: 1 } });
    const event = sqsEvent(sqsRecord(job(GOOD_ID), { messageId: 'duplicate' }));

    // Act
    const response = await handler(event, context);

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(server.requests).toHaveLength(0);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('reuses the key it read for later invocations of the same container', async () => {
    // Arrange
    await handler(sqsEvent(sqsRecord(job(GOOD_ID), { messageId: 'cold-start' })), context);

    // Act
    const response = await handler(
      sqsEvent(sqsRecord(job(GOOD_ID), { messageId: 'warm-1' }), sqsRecord(job(GOOD_ID), { messageId: 'warm-2' })),
      context,
    );

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(server.requests).toHaveLength(3);
  });

  it('retries every record when the OpenAI key cannot be read', async () => {
    // Arrange
    secrets.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));
    const event = sqsEvent(sqsRecord(job(GOOD_ID), { messageId: 'good' }));

    // Act
    const response = await handler(event, context);

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'good' }]);
    expect(server.requests).toHaveLength(0);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  describe('with little time left in the invocation', () => {
    /** The function's default timeout, which sizes the reserve the handler keeps back. */
    const RESERVE = deadlineReserve(60);

    /** A context whose remaining time runs down from `remainingMs`, as Lambda's does. */
    function contextWithRemaining(remainingMs: number) {
      const end = Date.now() + remainingMs;
      return { ...context, getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
    }

    it('stops a slow model call at the model deadline, reschedules it, and marks its last receive failed in time', async () => {
      // Arrange: the model answers after 10 s; 300 ms are left before the reserve
      server.answer = () => ({ technologies: ['Django'], delayMs: 10_000 });
      const remainingMs = RESERVE.bookkeepingMs + RESERVE.responseMarginMs + 300;
      const short = contextWithRemaining(remainingMs);
      const event = sqsEvent(
        sqsRecord(job(GOOD_ID), { messageId: 'first-try' }),
        sqsRecord(job(FAILING_ID), { messageId: 'last-try', receiveCount: 5 }),
      );
      const started = Date.now();

      // Act
      const response = await handler(event, short);

      // Assert
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(['first-try', 'last-try']);
      expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: 'receipt-first-try' });
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
        Key: { pk: 'OWNER#user-a', sk: `ENTRY#${FAILING_ID}` },
        ExpressionAttributeValues: expect.objectContaining({
          ':failed': 'failed',
          ':reason': 'model-timeout',
        }),
      });
      expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: 'receipt-last-try', VisibilityTimeout: 0 });
    });

    it('returns its batch response before the time is up even when a record hangs, reporting it failed', async () => {
      // Arrange: the entry read never answers; only the response deadline is left
      ddb.on(GetCommand).callsFake(() => new Promise(() => undefined));
      const remainingMs = RESERVE.responseMarginMs + 300;
      const started = Date.now();

      // Act
      const response = await handler(sqsEvent(sqsRecord(job(GOOD_ID), { messageId: 'hangs' })), contextWithRemaining(remainingMs));

      // Assert
      expect(Date.now() - started).toBeLessThan(remainingMs);
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'hangs' }]);
    });
  });
});

describe('extraction handler logs', () => {
  const batch = () =>
    sqsEvent(sqsRecord(job(GOOD_ID), { messageId: 'good' }), sqsRecord(job(FAILING_ID), { messageId: 'openai-fails', receiveCount: 5 }));

  it('carry ids, counts and reasons at INFO, never the entry text or the tags the model proposed', async () => {
    // Arrange
    const { logger, lines } = capturedLogger('tag-extraction', 'INFO');
    handler = buildHandler({}, new UnpublishedMetrics(), logger);

    // Act
    await handler(batch(), context);

    // Assert
    const printed = lines.map((line) => JSON.stringify(line)).join('\n');
    for (const quoted of [GOOD_TEXT, FAILING_TEXT, 'Django', 'Elasticsearch', 'Python', 'Kafka']) expect(printed).not.toContain(quoted);
    expect(lines).toContainEqual(
      expect.objectContaining({
        message: 'entry tagged',
        entryId: GOOD_ID,
        tagCount: 2,
        droppedCount: 1,
        droppedByReason: { ungrounded: 1 },
      }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ level: 'ERROR', entryId: FAILING_ID, reason: 'model-unavailable' }));
  });

  it('show the kept and dropped tags at DEBUG', async () => {
    // Arrange
    const { logger, lines } = capturedLogger('tag-extraction', 'DEBUG');
    handler = buildHandler({}, new UnpublishedMetrics(), logger);

    // Act
    await handler(batch(), context);

    // Assert
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'DEBUG',
        entryId: GOOD_ID,
        tags: ['Django', 'Elasticsearch'],
        dropped: [expect.objectContaining({ candidate: 'Python' })],
      }),
    );
  });
});

describe('extraction handler metrics', () => {
  it('counts the records it was handed and those it reported failed, per function version', async () => {
    // Arrange: a container of published version 7 with metrics on (dev mode prints them through console.log)
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    // Before the Metrics is built: outside dev mode it writes through a Console on process.stdout.
    const printed = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    handler = buildHandler(
      { AWS_LAMBDA_FUNCTION_VERSION: '7' },
      new Metrics({ namespace: EXTRACTION_TELEMETRY.namespace, serviceName: EXTRACTION_TELEMETRY.serviceName }),
    );

    // Act
    await handler(sqsEvent(sqsRecord(job(GOOD_ID), { messageId: 'good' }), sqsRecord('{"version":1,', { messageId: 'invalid' })), context);

    // Assert
    const blobs = printed.mock.calls
      .flatMap((call) => String(call[0]).split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((blob) => blob._aws);
    expect(blobs).toHaveLength(1);
    expect(blobs[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Dimensions: [['service', 'ExecutedVersion'], ['service']] }] },
      ExecutedVersion: '7',
      RecordsProcessed: 2,
      RecordsFailed: 1,
      EntriesTagged: 1,
      TagsProposed: 3,
      UngroundedTagsDropped: 1,
    });
  });
});

describe('extraction handler dry run (the pre-traffic check)', () => {
  it('parses, validates and post-processes the records it is given, with no model call and no AWS call', async () => {
    // Arrange
    const event = {
      dryRun: true as const,
      records: [
        { body: job(GOOD_ID), entryText: GOOD_TEXT, answer: ['Django', 'Kubernetes'] },
        { body: '{"version":1,', entryText: GOOD_TEXT, answer: ['Django'] },
      ],
    };

    // Act
    const report = await handler(event, context);

    // Assert
    expect(report).toMatchObject({
      dryRun: true,
      serviceVersion: EXTRACTION_SERVICE_VERSION,
      results: [
        { valid: true, version: 1, tags: ['Django'], dropped: [{ candidate: 'Kubernetes', reason: 'ungrounded' }] },
        { valid: false, error: expect.any(String) },
      ],
    });
    expect(server.requests).toHaveLength(0);
    for (const client of [ddb, rawDdb, sqs, secrets]) expect(client).not.toHaveReceivedAnyCommand();
  });

  it('throws on a malformed dry-run event and never treats it as a batch', async () => {
    // Act
    const run = handler({ dryRun: true, Records: [sqsRecord(job(GOOD_ID))] } as never, context);

    // Assert
    await expect(run).rejects.toThrow(/not a dry-run event/);
    expect(server.requests).toHaveLength(0);
    for (const client of [ddb, rawDdb, sqs, secrets]) expect(client).not.toHaveReceivedAnyCommand();
  });
});
