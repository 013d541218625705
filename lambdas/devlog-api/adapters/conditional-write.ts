import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * Awaits a conditional DynamoDB write: its output, or undefined when its condition failed (the
 * item is not in the state the write was for, so nothing was written); every other error passes on.
 */
export async function unlessConditionFailed<Output>(write: Promise<Output>): Promise<Output | undefined> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Awaits a conditional DynamoDB write whose failed condition means there is nothing to do. */
export async function ignoringFailedCondition(write: Promise<unknown>): Promise<void> {
  await unlessConditionFailed(write);
}
