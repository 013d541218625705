import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TAGS_TABLE } from '../../../lambdas/devlog-api/adapters/tags-table.js';
import { dynamoDbClientFor, ensureEntryTable, ensureKeyedTable, startDynamoDb } from '../../../local/emulators/dynamodb.js';
import { startSecretsManager, type SecretsManagerEmulator } from '../../../local/emulators/secrets-manager.js';
import { ensureJobQueues, sqsClientFor, startSqs, type JobQueueOptions, type JobQueues } from '../../../local/emulators/sqs.js';
import { handlerEnvironment } from '../../../local/handler-environment.js';
import { createLocalHandlers } from '../../../local/handlers.js';
import type { UsageMeter } from '../../../local/metering/usage-meter.js';
import { CONSUMER_SETTINGS } from '../../../lambdas/contract/index.js';

/** Emulators with the entries table and a jobs queue, plus clients for them. */
export interface TestEmulators {
  tableName: string;
  /** The aggregator's tags table. */
  tagsTableName: string;
  queues: JobQueues;
  dynamoDb: DynamoDBClient;
  /** The document client over `dynamoDb`, for reading and arranging items in tests. */
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  secrets: SecretsManagerEmulator;
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
  stop(): Promise<void>;
}

/** The secret id the handlers are pointed at in tests. */
export const TEST_SECRET_ID = 'test/openai-api-key';
/** The API key stored in it. */
export const TEST_OPENAI_KEY = 'sk-test-from-secrets-manager';

/** Starts in-memory DynamoDB, SQS and Secrets Manager emulators with fresh resources. */
export async function startTestEmulators(queueOptions: JobQueueOptions = {}): Promise<TestEmulators> {
  const [dynamo, sqsEmulator, secrets] = await Promise.all([
    startDynamoDb(),
    startSqs(),
    startSecretsManager({ [TEST_SECRET_ID]: TEST_OPENAI_KEY }),
  ]);
  const dynamoDb = dynamoDbClientFor(dynamo.endpoint);
  const sqs = sqsClientFor(sqsEmulator.endpoint);
  const tableName = 'entries-test';
  const tagsTableName = 'tags-test';
  const [, , queues] = await Promise.all([
    ensureEntryTable(dynamoDb, tableName),
    ensureKeyedTable(dynamoDb, tagsTableName, TAGS_TABLE),
    ensureJobQueues(sqs, { queueName: 'jobs-test', deadLetterQueueName: 'jobs-test-dlq' }, queueOptions),
  ]);
  return {
    tableName,
    tagsTableName,
    queues,
    dynamoDb,
    documents: DynamoDBDocumentClient.from(dynamoDb),
    sqs,
    secrets,
    dynamoDbEndpoint: dynamo.endpoint,
    sqsEndpoint: sqsEmulator.endpoint,
    async stop() {
      dynamoDb.destroy();
      sqs.destroy();
      await Promise.allSettled([dynamo.stop(), sqsEmulator.stop(), secrets.stop()]);
    },
  };
}

/** The handlers' environment variables for these emulators, as the local stack sets them. */
function handlerEnvironmentFor(emulators: TestEmulators, extra: Record<string, string>): Record<string, string> {
  return {
    ...handlerEnvironment({
      tableName: emulators.tableName,
      tagsTableName: emulators.tagsTableName,
      queueUrl: emulators.queues.queueUrl,
      openAiSecretId: TEST_SECRET_ID,
      extractionTimeoutSeconds: CONSUMER_SETTINGS.functionTimeoutSeconds,
      retryBaseSeconds: 0.1,
      retryMaxSeconds: 1,
    }),
    ...extra,
  };
}

/**
 * Every handler built by its factory on these emulators, as the local stack builds them; `env`
 * adds handler settings (OPENAI_BASE_URL, OPENAI_TIMEOUT_MS ...), `dynamoDbEndpoint` and `sqsEndpoint` put
 * something in front of DynamoDB or SQS, `eventBridgeEndpoint` names the local bus, `meter`
 * counts what they would be billed for. Silent unless TEST_HANDLER_LOG_LEVEL (or `logLevel`)
 * asks for more. Destroy them when done.
 */
export function handlersFor(
  emulators: TestEmulators,
  env: Record<string, string> = {},
  options: {
    dynamoDbEndpoint?: string;
    sqsEndpoint?: string;
    eventBridgeEndpoint?: string;
    meter?: UsageMeter;
    logLevel?: LogLevel;
    handlerLog?: (line: string) => void;
  } = {},
): ReturnType<typeof createLocalHandlers> {
  const logLevel = options.logLevel ?? ((process.env.TEST_HANDLER_LOG_LEVEL ?? 'SILENT') as LogLevel);
  return createLocalHandlers({
    env: handlerEnvironmentFor(emulators, env),
    endpoints: {
      dynamoDb: options.dynamoDbEndpoint ?? emulators.dynamoDbEndpoint,
      sqs: options.sqsEndpoint ?? emulators.sqsEndpoint,
      secretsManager: emulators.secrets.endpoint,
      ...(options.eventBridgeEndpoint ? { eventBridge: options.eventBridgeEndpoint } : {}),
    },
    handlerLog: options.handlerLog ?? ((line) => console.log(line)),
    logLevel,
    ...(options.meter ? { meter: options.meter } : {}),
  });
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
