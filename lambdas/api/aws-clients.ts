import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The web team's SDK clients, created once per container. */
export function createAwsClients(sqsEndpoint: string | undefined) {
  return {
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    // An explicit endpoint, because SQS otherwise follows the queue URL's host, which the
    // local emulator names but does not resolve.
    sqsClient: new SQSClient({ endpoint: sqsEndpoint }),
  };
}
