import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageSystemAttributeName,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { CONSUMER_SETTINGS, QUEUE_SETTINGS } from '../lambdas/contract/index.js';
import { fakeLambdaContext } from './lambda-context.js';
import { consoleLog, type LogLine } from './log.js';
import { LOCAL_RESOURCES } from './settings.js';

/*
 * Hand-written: the SQS event source mapping is a managed AWS poller with no library
 * equivalent. This one keeps the semantics our consumer depends on: batches of up to
 * batchSize collected within the batching window, at most maxConcurrency invocations at a
 * time, partial batch responses, nothing deleted when the function fails, and failed messages
 * left to their visibility timeout (the handler shortens it itself for backoff).
 */

/** A Lambda handler for SQS events with partial batch responses. */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> | Promise<void>;

/** Options of the poller; the defaults are the deployed event source mapping's. */
export interface SqsPollerOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsHandler;
  batchSize?: number;
  maxConcurrency?: number;
  maxBatchingWindowSeconds?: number;
  functionTimeoutSeconds?: number;
  functionName?: string;
  /**
   * Long-poll wait; the event source mapping waits 20 s. 0 short-polls with a pause between
   * empty receives: tests that start and stop pollers on one queue use it, because an aborted
   * long poll still takes a message off the emulator's queue when its wait ends.
   */
  waitTimeSeconds?: number;
  log?: LogLine;
}

/** What one invocation did. */
export interface BatchOutcome {
  records: number;
  succeeded: number;
  failed: number;
  /** Set when the whole batch failed (the handler threw, timed out, or answered nonsense). */
  error?: string;
}

/** A running poller. */
export interface SqsPoller {
  /** Batches handled so far. */
  readonly batches: number;
  /**
   * Stops receiving and waits for running invocations, at most `graceMs` (a Ctrl-C should not
   * wait out a slow model call; the unfinished messages come back after their visibility timeout).
   */
  stop(graceMs?: number): Promise<void>;
}

const SHORT_POLL_PAUSE_MS = 100;
/** The longest long poll SQS accepts; a batching window may be up to 300 s. */
const MAX_WAIT_TIME_SECONDS = 20;

const SYSTEM_ATTRIBUTES: MessageSystemAttributeName[] = [
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SentTimestamp',
  'SenderId',
  'MessageGroupId',
  'MessageDeduplicationId',
  'SequenceNumber',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
];

/** Starts feeding the queue's messages to the handler the way the SQS event source mapping does. */
export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  const {
    client,
    queueUrl,
    queueArn,
    handler,
    batchSize = QUEUE_SETTINGS.batchSize,
    maxConcurrency = CONSUMER_SETTINGS.maxConcurrency,
    maxBatchingWindowSeconds = QUEUE_SETTINGS.maxBatchingWindowSeconds,
    functionTimeoutSeconds = CONSUMER_SETTINGS.functionTimeoutSeconds,
    functionName = 'tag-extraction',
    waitTimeSeconds = 20,
    log = consoleLog,
  } = options;
  const region = queueArn.split(':')[3] ?? LOCAL_RESOURCES.region;
  const abort = new AbortController();
  let batches = 0;

  const receive = async (maxMessages: number, waitSeconds: number): Promise<Message[]> => {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        // SQS returns at most 10 per call; batchSize may be smaller.
        MaxNumberOfMessages: Math.min(10, maxMessages),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: SYSTEM_ATTRIBUTES,
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    return Messages;
  };

  /** Collects one batch: waits for a first message, then tops up until full or the window closes. */
  const collectBatch = async (): Promise<Message[]> => {
    const batch = await receive(batchSize, waitTimeSeconds);
    if (batch.length === 0) return batch;
    const windowEnds = Date.now() + maxBatchingWindowSeconds * 1000;
    while (batch.length < batchSize && !abort.signal.aborted) {
      const remainingMs = windowEnds - Date.now();
      if (remainingMs <= 0) break;
      const more = await receive(batchSize - batch.length, Math.min(MAX_WAIT_TIME_SECONDS, Math.floor(remainingMs / 1000)));
      batch.push(...more);
      if (more.length === 0 && remainingMs < 1000) break;
    }
    return batch;
  };

  const invoke = async (messages: Message[]): Promise<BatchOutcome> => {
    const records = messages.map((message) => toSqsRecord(message, queueArn, region));
    const result = await invokeWithTimeout(handler, { Records: records }, functionName, functionTimeoutSeconds);
    if (!result.ok) return { records: records.length, succeeded: 0, failed: records.length, error: result.error };
    const failures = result.response?.batchItemFailures ?? [];
    const ids = new Set(records.map((record) => record.messageId));
    // Like the event source mapping: an unknown or empty identifier fails the whole batch.
    if (failures.some(({ itemIdentifier }) => !itemIdentifier || !ids.has(itemIdentifier))) {
      return { records: records.length, succeeded: 0, failed: records.length, error: 'invalid batchItemFailures' };
    }
    const failed = new Set(failures.map(({ itemIdentifier }) => itemIdentifier));
    const done = records.filter((record) => !failed.has(record.messageId));
    await deleteMessages(client, queueUrl, done);
    return { records: records.length, succeeded: done.length, failed: failed.size };
  };

  const worker = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      let messages: Message[];
      try {
        messages = await collectBatch();
      } catch (error) {
        if (abort.signal.aborted) return;
        log(`poller: receive failed (${(error as Error).message}); retrying in 1 s`);
        await delay(1000, abort.signal);
        continue;
      }
      if (messages.length === 0) {
        if (waitTimeSeconds === 0) await delay(SHORT_POLL_PAUSE_MS, abort.signal);
        continue;
      }
      const started = performance.now();
      const batchNumber = ++batches;
      try {
        const outcome = await invoke(messages);
        const elapsed = Math.round(performance.now() - started);
        log(describeBatch(batchNumber, outcome, elapsed));
      } catch (error) {
        log(`batch ${batchNumber}: deleting processed messages failed: ${(error as Error).message}`);
      }
    }
  };

  const workers = Array.from({ length: maxConcurrency }, () => worker());
  return {
    get batches() {
      return batches;
    },
    async stop(graceMs = 5_000) {
      abort.abort();
      const grace = new AbortController();
      await Promise.race([Promise.all(workers), delay(graceMs, grace.signal)]);
      grace.abort();
    },
  };
}

/** `batch 3: 3 records, 2 ok, 1 failed in 812 ms`. */
function describeBatch(batchNumber: number, outcome: BatchOutcome, elapsedMs: number): string {
  const records = `${outcome.records} record${outcome.records === 1 ? '' : 's'}`;
  if (outcome.error) return `batch ${batchNumber}: ${records} failed as a whole (${outcome.error}) in ${elapsedMs} ms; none deleted`;
  return `batch ${batchNumber}: ${records}, ${outcome.succeeded} ok, ${outcome.failed} failed in ${elapsedMs} ms`;
}

/** Converts a received SQS message into the record an SQS-triggered Lambda gets. */
export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((item) => Buffer.from(item).toString('base64')),
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ...(attributes as Record<string, string>),
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? LOCAL_RESOURCES.accountId,
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

async function invokeWithTimeout(
  handler: SqsHandler,
  event: SQSEvent,
  functionName: string,
  timeoutSeconds: number,
): Promise<{ ok: true; response: SQSBatchResponse | undefined } | { ok: false; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: false; error: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: `function timed out after ${timeoutSeconds} s` }), timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([
      handler(event, fakeLambdaContext(functionName, timeoutSeconds)).then(
        (response) => ({ ok: true as const, response: response ?? undefined }),
        (error: unknown) => ({ ok: false as const, error: `handler threw ${(error as Error)?.message ?? String(error)}` }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function deleteMessages(client: SQSClient, queueUrl: string, records: SQSRecord[]): Promise<void> {
  for (let start = 0; start < records.length; start += 10) {
    const chunk = records.slice(start, start + 10);
    const { Failed = [] } = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
      }),
    );
    if (Failed.length > 0) throw new Error(`${Failed.length} deletes failed: ${Failed[0]?.Message ?? Failed[0]?.Code}`);
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
