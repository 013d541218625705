import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from '../contract/index.js';

/**
 * Where the clients connect and as whom. Nothing in Lambda (the runtime's region and role);
 * the local stack and the tests name the emulators' endpoints, the region and the function's
 * own credentials.
 */
export interface AwsClientTarget {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  dynamoDbEndpoint?: string;
  /** Needed locally: SQS otherwise follows the queue URL's host, which the emulator names but does not resolve. */
  sqsEndpoint?: string;
}

/**
 * The web team's SDK clients, created once per container, with timeouts and attempts sized to
 * the function's timeout: a hanging SQS makes POST answer 202 (the reconciler sends the job
 * later) instead of running into the function timeout.
 */
export function createAwsClients(functionTimeoutSeconds: number, target: AwsClientTarget = {}) {
  const { dynamoDbEndpoint, sqsEndpoint, ...identity } = target;
  const config = { ...awsClientConfig(functionTimeoutSeconds), ...identity };
  return {
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({ ...config, ...(dynamoDbEndpoint ? { endpoint: dynamoDbEndpoint } : {}) }), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    sqsClient: new SQSClient({ ...config, ...(sqsEndpoint ? { endpoint: sqsEndpoint } : {}) }),
  };
}
