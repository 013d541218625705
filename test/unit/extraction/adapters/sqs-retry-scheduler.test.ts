import 'aws-sdk-client-mock-vitest/extend';
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqsRetryScheduler } from '../../../../lambdas/tag-extraction/adapters/sqs-retry-scheduler.js';

const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/jobs';
const sqs = mockClient(SQSClient);
const scheduler = new SqsRetryScheduler(new SQSClient({ region: 'eu-central-1' }), QUEUE_URL);

beforeEach(() => {
  sqs.reset();
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({});
});

describe('SqsRetryScheduler', () => {
  it.each([
    ['a whole delay', 40, 40],
    ['at once', 0, 0],
    ['a fractional delay, rounded', 2.5, 3],
    ['a negative delay, as at once', -3, 0],
    ['a delay beyond 12 hours, capped', 100_000, 43_200],
  ])('makes the message visible again after %s', async (_name, delaySeconds, visibility) => {
    // Act
    await scheduler.retryAfter('receipt-1', delaySeconds);

    // Assert
    expect(sqs).toHaveReceivedCommandExactlyOnceWith(ChangeMessageVisibilityCommand, {
      QueueUrl: QUEUE_URL,
      ReceiptHandle: 'receipt-1',
      VisibilityTimeout: visibility,
    });
  });

  it.each([
    ['a whole delay', 42, 42],
    ['a fractional delay, rounded up', 2.1, 3],
    ['a delay beyond 15 minutes, capped', 3_600, 900],
    ['a negative delay, as at once', -1, 0],
  ])('resends a fresh copy of the job after %s', async (_name, delaySeconds, delivered) => {
    // Arrange
    const body = '{"version":1,"entryId":"01JDQ8Z6X4M1V9T3K7N2P5R8WA","ownerId":"user-a","enqueuedAt":"2026-11-23T10:00:00.000Z"}';

    // Act
    await scheduler.resendLater(body, delaySeconds);

    // Assert
    expect(sqs).toHaveReceivedCommandExactlyOnceWith(SendMessageCommand, {
      QueueUrl: QUEUE_URL,
      MessageBody: body,
      DelaySeconds: delivered,
    });
  });
});
