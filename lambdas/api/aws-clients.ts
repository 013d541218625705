import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsClientTarget, awsClientConfigs } from '../contract/index.js';

/**
 * The web team's SDK clients, created once per container, with timeouts and attempts sized to
 * the function's timeout: a hanging SQS makes POST answer 202 (the reconciler sends the job
 * later) instead of running into the function timeout.
 */
export function createAwsClients(functionTimeoutSeconds: number, target: AwsClientTarget = {}) {
  const config = awsClientConfigs(functionTimeoutSeconds, target);
  return {
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient(config.dynamoDb), { marshallOptions: { removeUndefinedValues: true } }),
    sqsClient: new SQSClient(config.sqs),
  };
}
