import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureJobQueues, type JobQueues } from '../../local/emulators/sqs.js';
import { startSqsPoller, type SqsHandler, type SqsPoller } from '../../local/sqs-poller.js';
import { eventually, startTestEmulators, type TestEmulators } from './support/emulators.js';

/*
 * The local event source mapping against the SQS emulator, with handlers the tests script:
 * the records it builds, what it deletes after partial, thrown and malformed responses, and
 * its batch size, concurrency and shutdown.
 */

let emulators: TestEmulators;
let pollers: SqsPoller[] = [];
let queueCount = 0;

beforeAll(async () => {
  emulators = await startTestEmulators();
});

afterEach(async () => {
  await Promise.all(pollers.map((poller) => poller.stop()));
  pollers = [];
});

afterAll(async () => {
  await emulators?.stop();
});

/** A fresh queue, by default with a 1 s visibility timeout, so failed messages come back quickly. */
async function freshQueue(visibilityTimeoutSeconds = 1): Promise<JobQueues> {
  queueCount++;
  return ensureJobQueues(
    emulators.sqs,
    { queueName: `poller-${queueCount}`, deadLetterQueueName: `poller-${queueCount}-dlq` },
    { visibilityTimeoutSeconds },
  );
}

async function send(queues: JobQueues, ...bodies: string[]) {
  for (const body of bodies) {
    await emulators.sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: body,
        MessageAttributes: { origin: { DataType: 'String', StringValue: 'test' } },
      }),
    );
  }
}

function poll(
  queues: JobQueues,
  handler: SqsHandler,
  options: { batchSize?: number; maxConcurrency?: number; log?: (line: string) => void } = {},
) {
  const poller = startSqsPoller({
    client: emulators.sqs,
    queueUrl: queues.queueUrl,
    queueArn: queues.queueArn,
    handler,
    maxBatchingWindowSeconds: 0,
    waitTimeSeconds: 1,
    log: options.log ?? (() => {}),
    ...options,
  });
  pollers.push(poller);
  return poller;
}

async function messagesInQueue(queues: JobQueues): Promise<number> {
  const { Attributes } = await emulators.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queues.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
}

/** Messages no invocation has received yet. */
async function messagesNotReceived(queues: JobQueues): Promise<number> {
  const { Attributes } = await emulators.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queues.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages);
}

describe('records', () => {
  it('hands the function SQS event records that Powertools parses', async () => {
    const queues = await freshQueue();
    const events: SQSEvent[] = [];
    poll(queues, async (event) => {
      events.push(event);
    });

    await send(queues, '{"hello":"world"}');
    const record = await eventually(async () => events[0]?.Records[0], 5_000, 'an invocation');

    expect(SqsRecordSchema.safeParse(record).success).toBe(true);
    expect(record).toMatchObject({
      body: '{"hello":"world"}',
      eventSource: 'aws:sqs',
      eventSourceARN: queues.queueArn,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: { origin: { dataType: 'String', stringValue: 'test' } },
    });
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('partial batch responses', () => {
  it('deletes the records not reported failed and redelivers the failed one after its visibility timeout', async () => {
    const queues = await freshQueue();
    const seen: SQSRecord[] = [];
    const lines: string[] = [];
    poll(
      queues,
      async (event): Promise<SQSBatchResponse> => {
        seen.push(...event.Records);
        return {
          batchItemFailures: event.Records.filter((record) => record.body === 'fail').map((record) => ({
            itemIdentifier: record.messageId,
          })),
        };
      },
      { batchSize: 10, maxConcurrency: 1, log: (line) => lines.push(line) },
    );

    await send(queues, 'ok-1', 'fail', 'ok-2');
    const redelivered = await eventually(
      async () => seen.find((record) => record.body === 'fail' && record.attributes.ApproximateReceiveCount === '2'),
      8_000,
      'the failed record to come back',
    );

    expect(redelivered).toBeDefined();
    expect(seen.filter((record) => record.body.startsWith('ok'))).toHaveLength(2);
    expect(lines.some((line) => /^batch \d+: \d+ records?, \d+ ok, \d+ failed in \d+ ms$/.test(line))).toBe(true);
  });

  it('deletes nothing when the function throws', async () => {
    const queues = await freshQueue();
    const receiveCounts: string[] = [];
    poll(queues, async (event) => {
      receiveCounts.push(...event.Records.map((record) => record.attributes.ApproximateReceiveCount));
      throw new Error('function crashed');
    });

    await send(queues, 'a', 'b');
    await eventually(
      async () => (receiveCounts.filter((count) => count === '2').length === 2 ? true : undefined),
      8_000,
      'both redelivered',
    );

    expect(await messagesInQueue(queues)).toBe(2);
  });

  it('deletes nothing when the function names a record that is not in the batch', async () => {
    const queues = await freshQueue();
    let invocations = 0;
    const poller = poll(queues, async () => {
      invocations++;
      return { batchItemFailures: [{ itemIdentifier: 'not-a-message-of-this-batch' }] };
    });

    await send(queues, 'a');
    await eventually(async () => (invocations >= 1 ? true : undefined), 5_000, 'an invocation');
    await poller.stop();

    expect(await messagesInQueue(queues)).toBe(1);
  });
});

describe('batching and concurrency', () => {
  it('never hands the function more than batchSize records', async () => {
    const queues = await freshQueue();
    const sizes: number[] = [];
    poll(
      queues,
      async (event) => {
        sizes.push(event.Records.length);
      },
      { batchSize: 3, maxConcurrency: 1 },
    );

    await send(queues, ...Array.from({ length: 7 }, (_, index) => `m${index}`));
    await eventually(async () => (sizes.reduce((sum, size) => sum + size, 0) === 7 ? true : undefined), 8_000, 'all records');

    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
  });

  it('runs at most maxConcurrency invocations at once', async () => {
    // Every invocation is held until the test releases it, so two are always running together
    // and a third could start only while they are held: the queue shows whether it did. The
    // visibility timeout outlasts any hold, so no message comes back while it is held.
    const queues = await freshQueue(30);
    const held: PromiseWithResolvers<void>[] = [];
    let running = 0;
    let peak = 0;
    poll(
      queues,
      async () => {
        running++;
        peak = Math.max(peak, running);
        const release = Promise.withResolvers<void>();
        held.push(release);
        await release.promise;
        running--;
      },
      { batchSize: 1, maxConcurrency: 2 },
    );

    await send(queues, ...Array.from({ length: 6 }, (_, index) => `m${index}`));
    for (let released = 0; released < 6; released++) {
      const started = Math.min(6, released + 2);
      await eventually(
        async () => (held.length === started && running === started - released ? true : undefined),
        5_000,
        `invocation ${started}`,
      );
      expect(await messagesNotReceived(queues)).toBe(6 - started);
      held[released]!.resolve();
    }
    await eventually(async () => (running === 0 && (await messagesInQueue(queues)) === 0 ? true : undefined), 5_000, 'all records');

    expect(peak).toBe(2);
  });

  it('stops at once while a 20 s long poll is waiting', async () => {
    const queues = await freshQueue();
    const longPollStarted = Promise.withResolvers<void>();
    const client = new Proxy(emulators.sqs, {
      get: (target, property, receiver) =>
        property === 'send'
          ? (command: unknown, options: unknown) => {
              if (command instanceof ReceiveMessageCommand) longPollStarted.resolve();
              return target.send(command as ReceiveMessageCommand, options as object);
            }
          : Reflect.get(target, property, receiver),
    });
    const poller = startSqsPoller({
      client,
      queueUrl: queues.queueUrl,
      queueArn: queues.queueArn,
      handler: async () => {},
      waitTimeSeconds: 20,
      log: () => {},
    });
    await longPollStarted.promise;

    const started = Date.now();
    await poller.stop();

    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
