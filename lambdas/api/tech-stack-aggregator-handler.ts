import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAggregatorHandler } from './tech-stack-aggregator.js';
import { readAggregatorEnv } from './tech-stack-aggregator-env.js';

/** DynamoDB stream entry point: keeps the tag index and the tech-stack totals in line with the entries (the Lambda wiring of createAggregatorHandler). */
export const handler = createAggregatorHandler(readAggregatorEnv(process.env), {
  documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  logger: new Logger({ serviceName: 'devlog-tech-stack' }),
});
