import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients } from '../../contract/aws-clients.js';
import { readApiEnv } from './env.js';
import { WEB_FUNCTION_TIMEOUTS_SECONDS } from '../function-timeouts.js';
import { createApiHandler } from './handler-factory.js';

/** API Gateway HTTP API (v2) entry point of the dev-log API: the Lambda wiring of createApiHandler. */
export const handler = createApiHandler(readApiEnv(process.env), {
  ...createAwsClients(WEB_FUNCTION_TIMEOUTS_SECONDS.api),
  logger: new Logger({ serviceName: 'devlog-api' }),
});
