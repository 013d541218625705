import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** The error DynamoDB answers a write whose condition failed (`attempts`: the SDK's attempts so far). */
export function conditionFailed(attempts?: number): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: attempts === undefined ? {} : { attempts },
  });
}
