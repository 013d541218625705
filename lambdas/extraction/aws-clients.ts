import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsClientTarget, awsClientConfig } from '../contract/index.js';

/**
 * The extraction's SDK clients, created once per container, with timeouts and attempts sized
 * to the function's timeout, so the bookkeeping after the model deadline (deadlineReserve)
 * provably fits before the response.
 */
export function createExtractionClients(functionTimeoutSeconds: number, target: AwsClientTarget = {}) {
  const { dynamoDbEndpoint, sqsEndpoint, ...identity } = target;
  const config = { ...awsClientConfig(functionTimeoutSeconds), ...identity };
  return {
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({ ...config, ...(dynamoDbEndpoint ? { endpoint: dynamoDbEndpoint } : {}) })),
    sqsClient: new SQSClient({ ...config, ...(sqsEndpoint ? { endpoint: sqsEndpoint } : {}) }),
  };
}
