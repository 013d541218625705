import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from '../contract/index.js';

/**
 * The web team's SDK clients, created once per container, with timeouts and attempts sized to
 * the function's timeout: a hanging SQS makes POST answer 202 (the reconciler sends the job
 * later) instead of running into the function timeout.
 */
export function createAwsClients(sqsEndpoint: string | undefined, functionTimeoutSeconds: number) {
  const config = awsClientConfig(functionTimeoutSeconds);
  return {
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient(config), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    // An explicit endpoint, because SQS otherwise follows the queue URL's host, which the
    // local emulator names but does not resolve.
    sqsClient: new SQSClient({ ...config, endpoint: sqsEndpoint }),
  };
}
