import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createAwsClients } from '../../contract/aws-clients.js';
import { WEB_FUNCTION_TIMEOUTS_SECONDS } from '../function-timeouts.js';
import { readReconcilerEnv } from './env.js';
import { createReconcilerHandler } from './handler-factory.js';
import { RECONCILER_SETTINGS } from './settings.js';

/** Scheduled entry point: re-sends the jobs of entries stuck in `pending` (the Lambda wiring of createReconcilerHandler). */
export const handler = createReconcilerHandler(readReconcilerEnv(process.env), {
  ...createAwsClients(WEB_FUNCTION_TIMEOUTS_SECONDS.reconciler),
  logger: new Logger({ serviceName: 'devlog-reconciler' }),
  metrics: new Metrics({ namespace: RECONCILER_SETTINGS.metrics.namespace, serviceName: RECONCILER_SETTINGS.metrics.service }),
});
