import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsClientTarget, awsClientConfigs } from '../contract/index.js';

/**
 * The extraction's SDK clients, created once per container, with timeouts and attempts sized
 * to the function's timeout, so the bookkeeping after the model deadline (deadlineReserve)
 * provably fits before the response.
 */
export function createExtractionClients(functionTimeoutSeconds: number, target: AwsClientTarget = {}) {
  const config = awsClientConfigs(functionTimeoutSeconds, target);
  return { documentClient: DynamoDBDocumentClient.from(new DynamoDBClient(config.dynamoDb)), sqsClient: new SQSClient(config.sqs) };
}
