import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { forwardedJobSendParameters } from '../../contract/index.js';

/** Longest visibility timeout SQS allows (12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;
/** Longest delivery delay SQS allows (15 minutes). */
const MAX_DELAY_SECONDS = 900;

/** Schedules the next receive of a message: by its visibility timeout, or as a fresh copy. */
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

  /**
   * Sends a fresh copy of the message, delivered after `delaySeconds`; the caller then deletes
   * the original. The copy starts with no receives, for jobs that were not even attempted, and
   * stays in its owner's message group.
   */
  async resendLater(body: string, delaySeconds: number): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        ...forwardedJobSendParameters(body),
        DelaySeconds: Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil(delaySeconds))),
      }),
    );
  }
}
