import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { DynamoDbEntryStore } from './adapters/dynamodb-entry-store.js';
import { DynamoDbIdempotencyStore } from './adapters/dynamodb-idempotency-store.js';
import { DynamoDbTagAggregates } from './adapters/dynamodb-tag-aggregates.js';
import { jobMessageVersionSource } from './adapters/consumer-versions.js';
import { SqsJobQueue } from './adapters/sqs-job-queue.js';
import { createAwsClients } from './aws-clients.js';
import { WEB_FUNCTION_TIMEOUTS_SECONDS } from './function-timeouts.js';
import type { Clock } from './domain/ports.js';
import { readApiEnv } from './env.js';
import { routeApiRequest, type ApiEvent, type ApiResult } from './http/router.js';

const env = readApiEnv(process.env);
const logger = new Logger({ serviceName: 'devlog-api' });
const clock: Clock = { now: () => new Date() };
const { documentClient, sqsClient } = createAwsClients(env.AWS_ENDPOINT_URL_SQS, WEB_FUNCTION_TIMEOUTS_SECONDS.api);

const deps = {
  entries: new DynamoDbEntryStore(documentClient, env.TABLE_NAME),
  jobs: new SqsJobQueue(sqsClient, env.QUEUE_URL, clock, jobMessageVersionSource(env.CONSUMER_VERSIONS_PARAMETER, logger, () => import('./adapters/ssm-parameter.js'))),
  idempotency: new DynamoDbIdempotencyStore(documentClient, env.TABLE_NAME, clock),
  techStack: new DynamoDbTagAggregates(documentClient, env.TAGS_TABLE_NAME),
  clock,
  newId: monotonicFactory(),
  logger,
};

/** API Gateway HTTP API (v2) entry point of the dev-log API. */
export async function handler(event: ApiEvent, context: Context): Promise<ApiResult> {
  logger.addContext(context);
  return routeApiRequest(event, deps);
}
