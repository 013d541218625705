import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createAwsClients, createDocumentClient } from '../lambdas/contract/aws-clients.js';
import { readApiEnv } from '../lambdas/devlog-api/api/env.js';
import { WEB_FUNCTION_TIMEOUTS_SECONDS } from '../lambdas/devlog-api/function-timeouts.js';
import { type ApiHandler, createApiHandler } from '../lambdas/devlog-api/api/handler-factory.js';
import { readReconcilerEnv } from '../lambdas/devlog-api/reconciler/env.js';
import { createReconcilerHandler, type ReconcilerHandler } from '../lambdas/devlog-api/reconciler/handler-factory.js';
import { createAggregatorHandler, type TechStackAggregatorHandler } from '../lambdas/devlog-api/aggregator/handler-factory.js';
import { readAggregatorEnv } from '../lambdas/devlog-api/aggregator/env.js';
import { AGGREGATOR_SETTINGS } from '../lambdas/devlog-api/aggregator/settings.js';
import { readExtractionEnv } from '../lambdas/tag-extraction/env.js';
import { createExtractionHandler, type ExtractionHandler } from '../lambdas/tag-extraction/handler-factory.js';
import {
  createEntryEventsHandler,
  createEventBridgeClient,
  type EntryEventsHandler,
} from '../lambdas/devlog-api/entry-events/handler-factory.js';
import { readEntryEventsEnv } from '../lambdas/devlog-api/entry-events/env.js';
import type { BilledFunction } from '../lib/shared/resource-settings.js';
import { localAccessKeyId } from './iam/local-iam.js';
import type { PolicyFunction } from './iam/resources.js';
import { LineLogger } from './log.js';
import { meterEventBridgeClient } from './metering/eventbridge-meter.js';
import type { UsageMeter } from './metering/usage-meter.js';
import { LOCAL_RESOURCES } from './settings.js';

/** Where the handlers' SDK clients reach DynamoDB, SQS and Secrets Manager (the emulators, or something in front of them). */
export interface HandlerEndpoints {
  dynamoDb: string;
  sqs: string;
  secretsManager?: string;
  /** The local bus (local/emulators/eventbridge.ts) the entry events publisher puts its events on. */
  eventBridge?: string;
}

/**
 * Powertools Metrics that publish nowhere: there is no CloudWatch here, and the EMF blobs would
 * flood the console. `written`, when given, gets each EMF line Lambda would have logged (the bill
 * counts its bytes).
 */
export class UnpublishedMetrics extends Metrics {
  readonly #written: ((emfLine: string) => void) | undefined;

  constructor(options: ConstructorParameters<typeof Metrics>[0] = {}, written?: (emfLine: string) => void) {
    super(options);
    this.#written = written;
  }

  override publishStoredMetrics(): this {
    if (this.#written && this.hasStoredMetrics()) this.#written(JSON.stringify(this.serializeMetrics()));
    this.clearMetrics();
    return this;
  }

  override singleMetric(): Metrics {
    return new UnpublishedMetrics({ singleMetric: true }, this.#written);
  }
}

/** The local handlers, as Lambda runs them. */
export interface LocalHandlers {
  api: ApiHandler;
  reconciler: ReconcilerHandler;
  extraction: ExtractionHandler;
  aggregator: TechStackAggregatorHandler;
  entryEvents: EntryEventsHandler;
}

/** What the local handlers are built from. */
export interface LocalHandlerOptions {
  /** The handlers' environment variables, as the stacks set them (local/handler-environment.ts). */
  env: Record<string, string | undefined>;
  endpoints: HandlerEndpoints;
  /** Where the handlers' Powertools JSON lines go. */
  handlerLog: (jsonLine: string) => void;
  logLevel: LogLevel;
  /** Counts each invocation, its duration and every log line for the bench's bill. */
  meter?: UsageMeter;
}

/**
 * Builds every handler with its own factory and configuration reader, on SDK clients pointed at
 * `endpoints` and signed with the function's own access key id, with loggers that write where
 * the caller wants: nothing is read from or written to process.env, so several sets may live in
 * one process. `destroy` closes the clients' sockets.
 */
export function createLocalHandlers(options: LocalHandlerOptions): { handlers: LocalHandlers; destroy(): void } {
  const identity = (fn: PolicyFunction) => ({
    region: LOCAL_RESOURCES.region,
    credentials: { accessKeyId: localAccessKeyId(fn), secretAccessKey: LOCAL_RESOURCES.credentials.secretAccessKey },
  });
  const target = (fn: PolicyFunction) => ({
    ...identity(fn),
    dynamoDbEndpoint: options.endpoints.dynamoDb,
    sqsEndpoint: options.endpoints.sqs,
  });
  const extractionEnv = readExtractionEnv(options.env);
  const clients = {
    api: createAwsClients(WEB_FUNCTION_TIMEOUTS_SECONDS.api, target('api')),
    reconciler: createAwsClients(WEB_FUNCTION_TIMEOUTS_SECONDS.reconciler, target('reconciler')),
    extraction: createAwsClients(extractionEnv.FUNCTION_TIMEOUT_SECONDS, target('extraction')),
  };
  // As tech-stack-aggregator-handler.ts builds it: a document client alone, with the call budget of its timeout.
  const aggregatorClient = createDocumentClient(AGGREGATOR_SETTINGS.functionTimeoutSeconds, target('aggregator'));
  // It calls only EventBridge, which no enforcing proxy covers: it signs with the plain local credentials.
  const eventBridgeClient = createEventBridgeClient({
    region: LOCAL_RESOURCES.region,
    credentials: LOCAL_RESOURCES.credentials,
    endpoint: options.endpoints.eventBridge,
  });
  const { meter } = options;
  if (meter) meterEventBridgeClient(eventBridgeClient, meter, 'entryEvents');
  const logger = (serviceName: string, fn: BilledFunction) =>
    new LineLogger(
      (line) => {
        meter?.log(fn, line);
        options.handlerLog(line);
      },
      { serviceName, logLevel: options.logLevel },
    );
  const metrics = (fn: PolicyFunction) => new UnpublishedMetrics({}, meter && ((line) => meter.log(fn, line)));
  const metered = <Handler extends AnyHandler>(fn: BilledFunction, handler: Handler): Handler =>
    meter ? meteredHandler(meter, fn, handler) : handler;
  return {
    handlers: {
      api: metered('api', createApiHandler(readApiEnv(options.env), { ...clients.api, logger: logger('devlog-api', 'api') })),
      reconciler: metered(
        'reconciler',
        createReconcilerHandler(readReconcilerEnv(options.env), {
          ...clients.reconciler,
          logger: logger('devlog-reconciler', 'reconciler'),
          metrics: metrics('reconciler'),
        }),
      ),
      extraction: metered(
        'extraction',
        createExtractionHandler(extractionEnv, {
          ...clients.extraction,
          logger: logger('tag-extraction', 'extraction'),
          metrics: metrics('extraction'),
          secretsManager: { ...identity('extraction'), endpoint: options.endpoints.secretsManager },
        }),
      ),
      aggregator: metered(
        'aggregator',
        createAggregatorHandler(readAggregatorEnv(options.env), {
          documentClient: aggregatorClient,
          logger: logger('devlog-tech-stack', 'aggregator'),
        }),
      ),
      entryEvents: metered(
        'entryEvents',
        createEntryEventsHandler(readEntryEventsEnv(options.env), {
          eventBridgeClient,
          logger: logger('devlog-entry-events', 'entryEvents'),
        }),
      ),
    },
    destroy: () => {
      for (const { documentClient, sqsClient } of Object.values(clients)) {
        documentClient.destroy();
        sqsClient.destroy();
      }
      aggregatorClient.destroy();
      eventBridgeClient.destroy();
    },
  };
}

/** Any of the handlers (their event and context types differ). */
type AnyHandler = (...args: never[]) => Promise<unknown>;

/** The handler, counting each invocation and its duration (an invocation that throws is billed too). */
function meteredHandler<Handler extends AnyHandler>(meter: UsageMeter, fn: BilledFunction, handler: Handler): Handler {
  const wrapped = async (...args: Parameters<Handler>) => {
    const started = performance.now();
    try {
      return await handler(...args);
    } finally {
      meter.invocation(fn, performance.now() - started);
    }
  };
  return wrapped as Handler;
}
