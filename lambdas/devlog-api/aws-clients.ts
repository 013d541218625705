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
  return {
    documentClient: createDocumentClient(functionTimeoutSeconds, target),
    sqsClient: new SQSClient(awsClientConfigs(functionTimeoutSeconds, target).sqs),
  };
}

/** The DynamoDB document client alone, configured like createAwsClients' (for a function that sends nothing to SQS: the aggregator). */
export function createDocumentClient(functionTimeoutSeconds: number, target: AwsClientTarget = {}): DynamoDBDocumentClient {
  const config = awsClientConfigs(functionTimeoutSeconds, target);
  return DynamoDBDocumentClient.from(new DynamoDBClient(config.dynamoDb), { marshallOptions: { removeUndefinedValues: true } });
}
