import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { JobMessageSchema, type JobMessage } from '../../lambdas/contract/index.js';

/** Messages in a queue: ready, being processed (or waiting out a retry delay), delayed. */
export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** The queue's approximate message counts. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/**
 * Reads every message of a queue nobody else consumes (the DLQ) without removing any: receives
 * until empty, then makes them all visible again so a redrive finds them.
 */
export async function peekJobs(sqs: SQSClient, queueUrl: string): Promise<JobMessage[]> {
  const received: { body: string; receiptHandle: string }[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }),
    );
    if (Messages.length === 0) break;
    received.push(...Messages.map((message) => ({ body: message.Body ?? '', receiptHandle: message.ReceiptHandle ?? '' })));
  }
  for (let start = 0; start < received.length; start += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: received.slice(start, start + 10).map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.receiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return received.map((message) => JobMessageSchema.parse(JSON.parse(message.body)));
}
