import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Longest visibility timeout SQS allows (12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;

/** Schedules the next receive of a failed message by changing its visibility timeout. */
export class SqsRetryScheduler {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Makes the message visible again after `delaySeconds` (0: at once). */
  async retryAfter(receiptHandle: string, delaySeconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.round(delaySeconds))),
      }),
    );
  }
}
