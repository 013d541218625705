import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbEntryTagSource } from './adapters/dynamodb-entry-tag-source.js';
import { DynamoDbTagAggregates } from './adapters/dynamodb-tag-aggregates.js';
import { createTechStackAggregator } from './tech-stack-aggregator.js';
import { readAggregatorEnv } from './tech-stack-aggregator-env.js';

const env = readAggregatorEnv(process.env);
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));

/** DynamoDB stream entry point: keeps the tag index and the tech-stack totals in line with the entries. */
export const handler = createTechStackAggregator({
  entries: new DynamoDbEntryTagSource(documentClient, env.TABLE_NAME),
  aggregates: new DynamoDbTagAggregates(documentClient, env.TAGS_TABLE_NAME),
  logger: new Logger({ serviceName: 'devlog-tech-stack' }),
});
