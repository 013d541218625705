import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { buildTechStackAggregator } from './tech-stack-aggregator.js';
import { readAggregatorEnv } from './tech-stack-aggregator-env.js';

/** DynamoDB stream entry point: keeps the tag index and the tech-stack totals in line with the entries. */
export const handler = buildTechStackAggregator(
  readAggregatorEnv(process.env),
  DynamoDBDocumentClient.from(new DynamoDBClient({})),
);
