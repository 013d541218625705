import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoDbEntryTagStore } from './adapters/dynamodb-entry-tag-store.js';
import { lazyExtractor } from './adapters/lazy-extractor.js';
import type { SecretsManagerTarget } from './adapters/openai-tag-extractor.js';
import { SqsRetryScheduler } from './adapters/sqs-retry-scheduler.js';
import { publishBatchMetrics } from './batch-metrics.js';
import { deadlineBoundRunner } from './batch-runner.js';
import { type DryRunEvent, type DryRunReport, isDryRunEvent } from './dry-run-event.js';
import { RateLimitCircuit } from './domain/rate-limit-circuit.js';
import type { ExtractionEnv } from './env.js';
import { deadlineReserve, invocationDeadlines } from './invocation-deadlines.js';
import { processJobRecord, type RecordProcessorDeps } from './process-record.js';
import { promptOfVersion } from './prompts.js';
import { EXTRACTION_TELEMETRY } from './telemetry.js';

/** What the extraction handler is built from besides its configuration. */
export interface ExtractionHandlerDeps {
  documentClient: DynamoDBDocumentClient;
  sqsClient: SQSClient;
  logger: Logger;
  metrics: Pick<Metrics, 'addMetric' | 'addDimensions' | 'publishStoredMetrics' | 'singleMetric'>;
  /**
   * Where the Secrets Manager client that reads the OpenAI key connects (the local stack's
   * stand-in); the runtime's defaults when unset. A target, not a client: the client comes with
   * the lazily loaded OpenAI module, out of the cold start.
   */
  secretsManager?: SecretsManagerTarget;
}

/**
 * The SQS event source's handler: extracts the tags of a batch, reporting failed records only. A
 * release's pre-traffic check invokes it with a dry-run event instead (lambdas/tag-extraction/release/): parse,
 * validate and post-process only, no model call and no write.
 */
export interface ExtractionHandler {
  (event: SQSEvent, context: Context): Promise<SQSBatchResponse>;
  (event: DryRunEvent, context: Context): Promise<DryRunReport>;
}

/** Builds the extraction handler from its configuration, SDK clients, logger and metrics; nothing is read from the process. */
export function createExtractionHandler(env: ExtractionEnv, deps: ExtractionHandlerDeps): ExtractionHandler {
  const { logger, metrics } = deps;
  logger.appendPersistentKeys({ serviceVersion: env.SERVICE_VERSION });
  logger.info(`tag-extraction ${env.SERVICE_VERSION} starting: model ${env.OPENAI_MODEL}, prompt v${env.PROMPT_VERSION}`, {
    fallbackModels: env.OPENAI_FALLBACK_MODELS,
  });
  const reserve = deadlineReserve(env.FUNCTION_TIMEOUT_SECONDS);

  // Loaded on the first record, not at cold start: the OpenAI SDK, its zod helper, the Secrets
  // Manager client and the rate limiter are bundled into a separate file (LambdaFunction's
  // lazyModules). The import stays in this module, beside handler.ts: its specifier is the one
  // the stack bundles apart.
  const openAiExtractor = lazyExtractor(async () => {
    const { createOpenAiExtractor } = await import('./adapters/openai-tag-extractor.js');
    return createOpenAiExtractor({
      secretId: env.OPENAI_SECRET_ID,
      secretsManager: deps.secretsManager,
      baseURL: env.OPENAI_BASE_URL,
      timeoutMs: env.OPENAI_TIMEOUT_MS,
      functionTimeoutSeconds: env.FUNCTION_TIMEOUT_SECONDS,
      model: env.OPENAI_MODEL,
      fallbackModels: env.OPENAI_FALLBACK_MODELS,
      reasoningEffort: env.OPENAI_REASONING_EFFORT,
      serviceTier: env.OPENAI_SERVICE_TIER,
      prompt: promptOfVersion(env.PROMPT_VERSION),
      requestsPerMinute: env.OPENAI_REQUESTS_PER_MINUTE,
      onModelFallback: ({ from, to, reason }) => {
        logger.warn(`model ${from} is gone, falling back to ${to}`, { model: from, fallbackModel: to, reason });
        const metric = metrics.singleMetric();
        metric.addDimension('Model', from);
        metric.addMetric(EXTRACTION_TELEMETRY.modelFallbacksMetric, MetricUnit.Count, 1);
      },
      onModelLifecycle: (lifecycle) => {
        if (!lifecycle.known)
          return logger.warn(`model ${lifecycle.model}: lifecycle unknown (${lifecycle.reason})`, { model: lifecycle.model });
        if (lifecycle.shutdownDate === undefined)
          return logger.info(`model ${lifecycle.model}: no shutdown date announced`, { model: lifecycle.model });
        logger.warn(`model ${lifecycle.model} shuts down on ${lifecycle.shutdownDate} (in ${lifecycle.daysToShutdown} days)`, {
          model: lifecycle.model,
          shutdownDate: lifecycle.shutdownDate,
        });
        const metric = metrics.singleMetric();
        metric.addDimension('Model', lifecycle.model);
        metric.addMetric(EXTRACTION_TELEMETRY.daysToModelShutdownMetric, MetricUnit.Count, lifecycle.daysToShutdown ?? 0);
      },
    });
  });

  const recordDeps: RecordProcessorDeps = {
    store: new DynamoDbEntryTagStore(deps.documentClient, env.TABLE_NAME),
    extractor: new RateLimitCircuit(openAiExtractor, {
      threshold: env.CIRCUIT_THRESHOLD,
      cooldownSeconds: env.CIRCUIT_COOLDOWN_SECONDS,
    }),
    retries: new SqsRetryScheduler(deps.sqsClient, env.QUEUE_URL),
    now: () => new Date(),
    promptVersion: env.PROMPT_VERSION,
    extractorVersion: env.SERVICE_VERSION,
    backoff: { baseSeconds: env.RETRY_BASE_SECONDS, maxSeconds: env.RETRY_MAX_SECONDS },
    logger,
    metrics,
  };

  async function handle(event: SQSEvent, context: Context): Promise<SQSBatchResponse>;
  async function handle(event: DryRunEvent, context: Context): Promise<DryRunReport>;
  async function handle(event: SQSEvent | DryRunEvent, context: Context): Promise<SQSBatchResponse | DryRunReport> {
    logger.addContext(context);
    if (isDryRunEvent(event)) {
      // Once per release: loaded from its own file (LambdaFunction's lazyModules), not at cold start.
      const { runDryRun } = await import('./dry-run.js');
      return runDryRun(event, { serviceVersion: env.SERVICE_VERSION, functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION });
    }
    // A processor per invocation: it holds the batch's results, and invocations of one handler
    // may overlap (the local poller; Lambda Managed Instances). A shared one mixes them up and
    // reports a failed record as a success, so its message is deleted and its job lost.
    const processor = new BatchProcessor(EventType.SQS);
    // Likewise per invocation: RECORD_CONCURRENCY is a per-batch limit, as in Lambda, and the
    // deadlines are this invocation's.
    const runRecord = deadlineBoundRunner(
      invocationDeadlines(context.getRemainingTimeInMillis(), reserve),
      env.RECORD_CONCURRENCY,
      (record, signal) => processJobRecord(record, recordDeps, signal),
    );
    let response: SQSBatchResponse | undefined;
    try {
      response = await processPartialResponse(event, runRecord, processor, { context, throwOnFullBatchFailure: false });
      return response;
    } finally {
      const records = event.Records.length;
      publishBatchMetrics(metrics, env.AWS_LAMBDA_FUNCTION_VERSION, records, response?.batchItemFailures.length ?? records);
    }
  }
  return handle;
}
