import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { DynamoDbEntryStore } from '../lambdas/devlog-api/adapters/dynamodb-entry-store.js';
import { createAwsClients } from '../lambdas/contract/aws-clients.js';
import { jobMessageFor } from '../lambdas/contract/index.js';
import { fakeLambdaContext } from '../local/lambda-context.js';
import { LOCAL_RESOURCES } from '../local/settings.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../local/stack.js';
import { UsageMeter } from '../local/metering/usage-meter.js';
import type { HostReply, HostRequest } from './stack-protocol.js';
import { WEB_FUNCTION_TIMEOUTS_SECONDS } from '../lambdas/devlog-api/function-timeouts.js';
import type { ApiHandler } from '../lambdas/devlog-api/api/handler-factory.js';

/*
 * Child process of the bench: one local stack. Not for the handlers' sake (they are built by
 * factories, and several stacks share a process in the tests), but for the measurement's: the
 * bench's load generator and model stand-in must not share the stack's event loop and CPU, or
 * the latencies show their contention, and process.cpuUsage() here is the stack's CPU alone. Stack log lines go
 * to stdout prefixed with "@stack ", the handlers' Powertools JSON lines go there as they are;
 * the parent reads both. Commands and answers travel over the IPC channel.
 */

const STACK_LINE_PREFIX = '@stack ';
const maxSeconds = Number(process.env.BENCH_HOST_MAX_SECONDS ?? 300);
let stack: LocalStack | undefined;
/** Counts what the stack's functions would be billed for; the cost section resets and reads it. */
const meter = new UsageMeter();
let stopping = false;

async function stopAndExit(code: number, options: { removeDataDir?: boolean } = {}): Promise<never> {
  if (!stopping) {
    stopping = true;
    try {
      await stack?.stop();
    } catch (error) {
      process.stderr.write(`stopping the stack failed: ${(error as Error).message}\n`);
    }
    if (options.removeDataDir && process.env.BENCH_HOST_OWNS_DATA_DIR === '1' && process.env.DATA_DIR) {
      await rm(process.env.DATA_DIR, { recursive: true, force: true });
    }
  }
  process.exit(code);
}

// Never outlive the bench: a lost parent (IPC gone) or an overrun stops the stack and exits.
process.on('disconnect', () => void stopAndExit(1, { removeDataDir: true }));
// Ctrl-C reaches the whole process group: stop cleanly; the bench removes the data directory.
process.on('SIGINT', () => void stopAndExit(130));
process.on('SIGTERM', () => void stopAndExit(143));
const lifetime = setTimeout(() => {
  process.stderr.write(`stack host: exceeded ${maxSeconds} s, stopping\n`);
  void stopAndExit(2, { removeDataDir: true });
}, maxSeconds * 1000);
lifetime.unref();

function reply(message: HostReply): void {
  process.send?.(message);
}

try {
  stack = await startLocalStack({
    log: (line) => process.stdout.write(`${STACK_LINE_PREFIX}${line}\n`),
    meter,
    ...(process.env.BENCH_HOST_CONSUMER ? { consumer: JSON.parse(process.env.BENCH_HOST_CONSUMER) as LocalStackOptions['consumer'] } : {}),
  });
  reply({ type: 'ready', apiUrl: stack.apiUrl, devToken: stack.devToken, startupMs: stack.startupMs });
} catch (error) {
  reply({ type: 'failed', message: (error as Error).stack ?? String(error) });
  await stopAndExit(1);
}

process.on('message', (message: HostRequest) => {
  void handle(message).then(
    (answer) => answer && reply(answer),
    (error: unknown) => reply({ type: 'error', requestId: message.requestId, message: (error as Error).stack ?? String(error) }),
  );
});

async function handle(message: HostRequest): Promise<HostReply | undefined> {
  switch (message.type) {
    case 'stop':
      await stopAndExit(0);
      return undefined;
    case 'meter-reset':
      meter.reset();
      return { type: 'meter-reading', requestId: message.requestId, reading: meter.read() };
    case 'meter-read':
      // The aggregator runs behind the stream: its work for the entries so far is part of the bill.
      await stack!.streamDrained();
      return { type: 'meter-reading', requestId: message.requestId, reading: meter.read() };
    case 'cpu':
      return { type: 'cpu', requestId: message.requestId, cpuMicros: cpuMicros(), atMs: performance.now() };
    case 'time-api-handler':
      return { type: 'api-handler-times', requestId: message.requestId, ...(await timeApiHandler(message.entries)) };
    case 'time-extraction-handler':
      return {
        type: 'extraction-handler-times',
        requestId: message.requestId,
        batches: await timeExtractionHandler(message.batchSizes, message.entries),
      };
  }
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/**
 * Calls the API handler the stack built (the same instance, so the same warm clients)
 * directly, one request at a time as one Lambda container serves them: a POST per
 * entry (with an Idempotency-Key), then a GET of each created entry. Times the handler alone.
 */
async function timeApiHandler(entries: string[]): Promise<{ postMs: number[]; getMs: number[]; ids: string[] }> {
  const handler = stack!.handlers.api;
  const ownerId = 'bench-direct-api';
  const postMs: number[] = [];
  const getMs: number[] = [];
  const ids: string[] = [];
  for (const entry of entries) {
    // With an Idempotency-Key, as the cost model assumes clients send one (two more writes).
    const event = apiEvent('POST', '/logs', ownerId, JSON.stringify({ entry }), undefined, { 'idempotency-key': randomUUID() });
    const started = performance.now();
    const result = await handler(event, fakeLambdaContext('devlog-api', 10));
    postMs.push(performance.now() - started);
    if (result.statusCode !== 202) throw new Error(`direct POST answered ${result.statusCode}: ${result.body}`);
    ids.push((JSON.parse(result.body ?? '{}') as { id: string }).id);
  }
  for (const id of ids) {
    const event = apiEvent('GET', `/logs/${id}`, ownerId, undefined, { id });
    const started = performance.now();
    const result = await handler(event, fakeLambdaContext('devlog-api', 10));
    getMs.push(performance.now() - started);
    if (result.statusCode !== 200) throw new Error(`direct GET answered ${result.statusCode}: ${result.body}`);
  }
  return { postMs, getMs, ids };
}

/**
 * Calls the extraction handler the stack built directly with batches of the given sizes, one
 * batch at a time as one Lambda container runs them. The entries are written straight to the
 * table as `pending` (no job message), so the queue poller never sees them and each record
 * really calls the model.
 */
async function timeExtractionHandler(batchSizes: number[], entries: string[]): Promise<{ size: number; ms: number; failed: number }[]> {
  const handler = stack!.handlers.extraction;
  const { documentClient, sqsClient } = createAwsClients(WEB_FUNCTION_TIMEOUTS_SECONDS.api, {
    region: stack!.endpoints.region,
    credentials: LOCAL_RESOURCES.credentials,
    dynamoDbEndpoint: stack!.endpoints.dynamodbEndpoint,
  });
  const store = new DynamoDbEntryStore(documentClient, stack!.endpoints.tableName);
  const newId = monotonicFactory();
  const ownerId = 'bench-direct-extraction';
  const results: { size: number; ms: number; failed: number }[] = [];
  let next = 0;
  try {
    for (const size of batchSizes) {
      const records: SQSRecord[] = [];
      for (let index = 0; index < size; index++) {
        const now = new Date();
        const id = newId();
        await store.create({
          id,
          ownerId,
          entry: entries[next++ % entries.length]!,
          status: 'pending',
          tags: [],
          revision: 1,
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
        });
        records.push(sqsRecord(JSON.stringify(jobMessageFor({ id, ownerId }, now))));
      }
      const event: SQSEvent = { Records: records };
      const started = performance.now();
      const response = await handler(event, fakeLambdaContext('tag-extraction', 60) as Context);
      results.push({ size, ms: performance.now() - started, failed: response.batchItemFailures.length });
    }
  } finally {
    documentClient.destroy();
    sqsClient.destroy();
  }
  return results;
}

function apiEvent(
  method: string,
  path: string,
  sub: string,
  body?: string,
  pathParameters?: Record<string, string>,
  extraHeaders: Record<string, string> = {},
) {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: pathParameters ? `${method} /logs/{id}` : `${method} /logs`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: '127.0.0.1', ...extraHeaders },
    ...(pathParameters ? { pathParameters } : {}),
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: { sub }, scopes: [] } },
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: `bench-${now.getTime()}`,
      routeKey: pathParameters ? `${method} /logs/{id}` : `${method} /logs`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  } as Parameters<ApiHandler>[0];
}

let recordNumber = 0;
function sqsRecord(body: string): SQSRecord {
  recordNumber++;
  const now = String(Date.now());
  return {
    messageId: `bench-${recordNumber}`,
    receiptHandle: `bench-receipt-${recordNumber}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: '000000000000', ApproximateFirstReceiveTimestamp: now },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:devlog-jobs',
    awsRegion: 'us-east-1',
  };
}
