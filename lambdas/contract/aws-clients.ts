import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsClientTarget, awsClientConfigs } from './aws-call-budget.js';

/*
 * The one SDK client factory of both teams' functions. Apart from index.ts, which stays plain
 * data: the CDK app and the tools import the contract without loading the SDK.
 */

/**
 * A function's DynamoDB document client and SQS client, created once per container, with
 * timeouts and attempts sized to its timeout (awsClientConfigs): a hanging SQS makes POST
 * answer 202 (the reconciler sends the job later) instead of running into the function
 * timeout, and the extraction's bookkeeping after the model deadline fits before its response.
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
