import { Logger } from '@aws-lambda-powertools/logger';
import { createDocumentClient } from '../../contract/aws-clients.js';
import { createAggregatorHandler } from './handler-factory.js';
import { readAggregatorEnv } from './env.js';
import { AGGREGATOR_SETTINGS } from './settings.js';

/** DynamoDB stream entry point: keeps the tag index and the tech-stack totals in line with the entries (the Lambda wiring of createAggregatorHandler). */
export const handler = createAggregatorHandler(readAggregatorEnv(process.env), {
  documentClient: createDocumentClient(AGGREGATOR_SETTINGS.functionTimeoutSeconds),
  logger: new Logger({ serviceName: 'devlog-tech-stack' }),
});
