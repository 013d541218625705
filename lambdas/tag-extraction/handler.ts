import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createAwsClients } from '../contract/aws-clients.js';
import { readExtractionEnv } from './env.js';
import { createExtractionHandler } from './handler-factory.js';
import { EXTRACTION_TELEMETRY } from './telemetry.js';

// Read once here, not only inside the factory: the SDK clients are sized by the function's timeout.
const env = readExtractionEnv(process.env);

/** SQS event source entry point (the Lambda wiring of createExtractionHandler). */
export const handler = createExtractionHandler(env, {
  ...createAwsClients(env.FUNCTION_TIMEOUT_SECONDS),
  logger: new Logger({ serviceName: EXTRACTION_TELEMETRY.serviceName }),
  metrics: new Metrics({ namespace: EXTRACTION_TELEMETRY.namespace, serviceName: EXTRACTION_TELEMETRY.serviceName }),
});
