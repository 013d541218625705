import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { openAiClientProvider, secretsManagerApiKey } from '../adapters/openai-tag-extractor.js';
import { EXTRACTION_TELEMETRY } from '../telemetry.js';
import { readBackfillCollectorEnv } from './collector-env.js';
import { createBackfillCollectorHandler } from './collector-handler-factory.js';

const env = readBackfillCollectorEnv(process.env);

/** Scheduled entry point (the Lambda wiring of createBackfillCollectorHandler). */
export const handler = createBackfillCollectorHandler(env, {
  documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  // Files of up to 50,000 answers: a generous timeout; a failed call fails the run, and the next run retries.
  openAi: openAiClientProvider({
    apiKey: secretsManagerApiKey(env.OPENAI_SECRET_ID, env.FUNCTION_TIMEOUT_SECONDS),
    baseURL: env.OPENAI_BASE_URL,
    timeoutMs: 120_000,
  }),
  logger: new Logger({ serviceName: `${EXTRACTION_TELEMETRY.serviceName}-backfill` }),
});
