import type { SQSEvent, SQSRecord } from 'aws-lambda';

const QUEUE_ARN = 'arn:aws:sqs:eu-central-1:123456789012:devlog-jobs-test';

/** An SQS record as the event source mapping delivers it. */
export function sqsRecord(body: string, options: { messageId?: string; receiveCount?: number } = {}): SQSRecord {
  const { messageId = 'message-1', receiveCount = 1 } = options;
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1795000000000',
      SenderId: 'AROAEXAMPLE:devlog-api',
      ApproximateFirstReceiveTimestamp: '1795000000100',
    },
    messageAttributes: {},
    md5OfBody: '0123456789abcdef0123456789abcdef',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'eu-central-1',
  };
}

/** An SQS event with the given records. */
export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}
