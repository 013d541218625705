import { setTimeout } from 'node:timers/promises';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { jobMessageVersionSource } from '../adapters/consumer-versions.js';
import { DynamoDbEntryStore } from '../adapters/dynamodb-entry-store.js';
import { DynamoDbIdempotencyStore } from '../adapters/dynamodb-idempotency-store.js';
import { DynamoDbQuotaCounter } from '../adapters/dynamodb-quota-counter.js';
import { DynamoDbTagReads } from '../adapters/dynamodb-tag-reads.js';
import { DynamoDbWaitSlots } from '../adapters/dynamodb-wait-slots.js';
import { SqsJobQueue } from '../adapters/sqs-job-queue.js';
import { DailyEntryQuota } from '../domain/daily-quota.js';
import type { Clock } from '../domain/ports.js';
import type { ApiEnv } from './env.js';
import { type ApiDeps, type ApiEvent, type ApiResult, routeApiRequest } from './http/router.js';

/** What the API handler is built from besides its configuration. */
export interface ApiHandlerDeps {
  documentClient: DynamoDBDocumentClient;
  sqsClient: SQSClient;
  logger: Logger;
}

/** An API Gateway HTTP API (v2) handler of the dev-log API. */
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** Builds the API handler from its configuration, SDK clients and logger; nothing is read from the process. */
export function createApiHandler(env: ApiEnv, { documentClient, sqsClient, logger }: ApiHandlerDeps): ApiHandler {
  const clock: Clock = { now: () => new Date() };
  // The dynamic import stays in this module, beside handler.ts: its specifier is the one the
  // stack bundles into a file of its own (LambdaFunction's lazyModules).
  const versions = jobMessageVersionSource(env.CONSUMER_VERSIONS_PARAMETER, logger, () => import('./ssm-parameter.js'));
  const tagReads = new DynamoDbTagReads(documentClient, env.TAGS_TABLE_NAME);
  const deps: ApiDeps = {
    entries: new DynamoDbEntryStore(documentClient, env.TABLE_NAME),
    jobs: new SqsJobQueue(sqsClient, env.QUEUE_URL, clock, versions),
    idempotency: new DynamoDbIdempotencyStore(documentClient, env.TABLE_NAME, clock),
    techStack: tagReads,
    taggedEntries: tagReads,
    quota: new DailyEntryQuota(new DynamoDbQuotaCounter(documentClient, env.TABLE_NAME), env.DAILY_ENTRY_QUOTA, clock),
    clock,
    newId: monotonicFactory(),
    logger,
    sleep: (ms: number) => setTimeout(ms),
    waitSlots: new DynamoDbWaitSlots(documentClient, env.TABLE_NAME, clock, env.MAX_OPEN_WAITS_PER_USER),
  };
  return async (event, context) => {
    logger.addContext(context);
    return routeApiRequest(event, deps, { remainingTimeMs: () => context.getRemainingTimeInMillis() });
  };
}
