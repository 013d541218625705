import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createAwsClients } from '../lambdas/api/aws-clients.js';
import { readApiEnv } from '../lambdas/api/env.js';
import { WEB_FUNCTION_TIMEOUTS_SECONDS } from '../lambdas/api/function-timeouts.js';
import { type ApiHandler, createApiHandler } from '../lambdas/api/handler-factory.js';
import { readReconcilerEnv } from '../lambdas/api/reconciler-env.js';
import { createReconcilerHandler, type ReconcilerHandler } from '../lambdas/api/reconciler-handler-factory.js';
import { LOCAL_RESOURCES } from './settings.js';

/** Where the handlers' SDK clients reach DynamoDB and SQS (the emulators, or something in front of them). */
export interface HandlerEndpoints {
  dynamoDb: string;
  sqs: string;
}

/** Powertools Metrics that publish nowhere: there is no CloudWatch here, and the EMF blobs would flood the console. */
export class UnpublishedMetrics extends Metrics {
  override publishStoredMetrics(): this {
    this.clearMetrics();
    return this;
  }

  override singleMetric(): Metrics {
    return new UnpublishedMetrics({ singleMetric: true });
  }
}

/** The web team's handlers, as Lambda runs them. */
export interface LocalWebHandlers {
  api: ApiHandler;
  reconciler: ReconcilerHandler;
}

/** What the local handlers are built from. */
export interface LocalHandlerOptions {
  /** The handlers' environment variables, as the stacks set them (local/handler-environment.ts). */
  env: Record<string, string | undefined>;
  endpoints: HandlerEndpoints;
  logLevel: LogLevel;
}

/**
 * Builds the web team's handlers with their own factories and configuration readers, on SDK
 * clients pointed at `endpoints`: nothing is read from or written to process.env, so several
 * sets may live in one process. `destroy` closes the clients' sockets.
 */
export function createLocalWebHandlers(options: LocalHandlerOptions): { handlers: LocalWebHandlers; destroy(): void } {
  const target = { region: LOCAL_RESOURCES.region, credentials: LOCAL_RESOURCES.credentials, dynamoDbEndpoint: options.endpoints.dynamoDb, sqsEndpoint: options.endpoints.sqs };
  const apiClients = createAwsClients(WEB_FUNCTION_TIMEOUTS_SECONDS.api, target);
  const reconcilerClients = createAwsClients(WEB_FUNCTION_TIMEOUTS_SECONDS.reconciler, target);
  const logger = (serviceName: string) => new Logger({ serviceName, logLevel: options.logLevel });
  return {
    handlers: {
      api: createApiHandler(readApiEnv(options.env), { ...apiClients, logger: logger('devlog-api') }),
      reconciler: createReconcilerHandler(readReconcilerEnv(options.env), {
        ...reconcilerClients,
        logger: logger('devlog-reconciler'),
        metrics: new UnpublishedMetrics({ namespace: 'DevLogTags' }),
      }),
    },
    destroy: () => {
      for (const clients of [apiClients, reconcilerClients]) {
        clients.documentClient.destroy();
        clients.sqsClient.destroy();
      }
    },
  };
}
