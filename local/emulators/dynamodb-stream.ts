import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as forward, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { closeServer, listenOnLoopback, LOOPBACK, readBody } from '../http-server.js';
import { ensureKeyedTable } from './dynamodb.js';
import { fakeLambdaContext } from '../lambda-context.js';
import type { LogLine } from '../log.js';
import { LOCAL_RESOURCES } from '../settings.js';

/*
 * Hand-written: dynalite has no DynamoDB Streams, and no maintained package adds them (the
 * emulators that have streams need Java or Docker). This stand-in sits between the clients
 * and dynalite like a network hop. For each write to a streamed table it takes a per-item
 * lock, reads the old item, records an intent in a log table, forwards the write, reads the
 * new item and turns the intent into a stream record (or drops it when nothing changed, as
 * DynamoDB does). The log lives in dynalite too, on disk with the rest, so a record is never
 * lost once its write was answered: intents left by a crash are resolved at the next start
 * by comparing the item with its old image. A poller then feeds the records to the handler
 * like the event source mapping: in order (one shard), a failed record and everything after
 * it retried, and after `retryAttempts` the failed record parked. At least once, in order per
 * item, as in AWS. A second consumer of the stream (as AWS allows two per shard) gets its own
 * copy of each record, in a partition of its own, and its own poller, checkpoint and retries.
 */

/** A table whose writes produce stream records, and its key attributes. */
export interface StreamedTable {
  tableName: string;
  keyAttributes: readonly string[];
}

/** A Lambda handler of DynamoDB stream batches with partial batch responses. */
export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | undefined>;

/** Options of the stream stand-in. */
export interface LocalStreamOptions {
  /** A client straight to dynalite, for the images and the log. */
  client: DynamoDBClient;
  /** dynalite's endpoint, where writes are forwarded. */
  targetEndpoint: string;
  table: StreamedTable;
  /** Which records reach the handler (the event source mapping's filter); the others are only checkpointed. */
  filter: (record: DynamoDBRecord) => boolean;
  /**
   * Which items' writes are recorded at all (all when unset); writes to the others are forwarded
   * as they are, without the per-item lock. Only for items whose records `filter` drops anyway:
   * the lock would serialize a hot item (a user's quota counter) far beyond what DynamoDB does.
   */
  recordsItem?: (keys: Record<string, AttributeValue>) => boolean;
  batchSize: number;
  retryAttempts: number;
  functionTimeoutSeconds: number;
  functionName?: string;
  log: LogLine;
  /**
   * Further consumers of the stream, by name: each record is kept for each of them from the
   * start, until `deliverToConsumer` hands them to its handler.
   */
  additionalConsumers?: readonly string[];
}

/** How one additional consumer's event source mapping delivers. */
export interface StreamConsumerOptions {
  filter: (record: DynamoDBRecord) => boolean;
  batchSize: number;
  retryAttempts: number;
  functionTimeoutSeconds: number;
  functionName: string;
}

/** A running stream stand-in. */
export interface LocalStream {
  /** Where clients send their DynamoDB requests instead of dynalite. */
  endpoint: string;
  /**
   * Starts feeding the records to the handler (an event source mapping being enabled). Records
   * are captured from the start, so a handler built once its environment is set misses none.
   */
  deliverTo(handler: StreamHandler): void;
  /** Starts feeding an additional consumer named in `additionalConsumers`, with its own mapping's settings. */
  deliverToConsumer(name: string, handler: StreamHandler, consumer: StreamConsumerOptions): void;
  /** Resolves once every record written so far has been handled (or parked). */
  drained(): Promise<void>;
  /**
   * Stops feeding the handler (the event source mapping disabled) once the batch under way is
   * handled; later records stay in the log for the next start. A stack stops this before the
   * handler's clients and the endpoints they call, so no delivery keeps them busy.
   */
  stopDelivery(): Promise<void>;
  stop(): Promise<void>;
}

const LOG_PARTITION = 'shard-0';
const WRITE_TARGETS = new Set(['DynamoDB_20120810.PutItem', 'DynamoDB_20120810.UpdateItem', 'DynamoDB_20120810.DeleteItem']);
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const RETRY_PAUSE_MS = 200;

type Item = Record<string, AttributeValue>;

/** The name of the log table behind a streamed table. */
export function streamLogTableName(tableName: string): string {
  return `${tableName}-local-stream`;
}

/** Starts the proxy and the poller; resolves intents a crash left behind first. */
export async function startLocalStream(options: LocalStreamOptions): Promise<LocalStream> {
  const { client, table } = options;
  const logTable = streamLogTableName(table.tableName);
  await ensureKeyedTable(client, logTable, { partitionKey: 'pk', sortKey: 'sk' });
  let nextSequence = Math.max(Date.now() * 1000, (await lastSequence(client, logTable)) + 1);
  const consumerPartitions = (options.additionalConsumers ?? []).map(consumerPartition);
  await resolveIntents(client, table, logTable, consumerPartitions);

  const locks = new Map<string, Promise<unknown>>();
  const agent = new Agent({ keepAlive: true });
  const target = new URL(options.targetEndpoint);
  let poller: Poller | undefined;
  const consumerPollers = new Map<string, Poller>();
  let pollerStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    pollerStarted = resolve;
  });

  /** Runs `work` after every earlier write to the same item, so images and sequence agree. */
  const withItemLock = async <T>(itemId: string, work: () => Promise<T>): Promise<T> => {
    const previous = locks.get(itemId) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    locks.set(itemId, current);
    try {
      return await current;
    } finally {
      if (locks.get(itemId) === current) locks.delete(itemId);
    }
  };

  const captureWrite = async (body: Buffer, headers: IncomingHttpHeaders, key: Item): Promise<UpstreamAnswer> =>
    withItemLock(JSON.stringify(key), async () => {
      const oldItem = await readItem(client, table.tableName, key);
      const sequenceNumber = String(nextSequence++).padStart(21, '0');
      await client.send(
        new PutItemCommand({
          TableName: logTable,
          Item: {
            pk: { S: LOG_PARTITION },
            sk: { S: sequenceNumber },
            state: { S: 'intent' },
            keys: { S: JSON.stringify(key) },
            ...(oldItem ? { oldImage: { S: JSON.stringify(oldItem) } } : {}),
          },
        }),
      );
      try {
        return await relay(body, headers, target, agent);
      } finally {
        // Also after a failed forward: the write may have happened. If dynalite is gone, the
        // intent stays and the next start resolves it.
        const newItem = await readItem(client, table.tableName, key);
        await settleIntent(client, table, logTable, sequenceNumber, key, oldItem, newItem, consumerPartitions);
        poller?.wake();
        for (const consumer of consumerPollers.values()) consumer.wake();
      }
    });

  const server = createServer((request, response) => {
    void (async () => {
      const { body } = await readBody(request, MAX_BODY_BYTES);
      const operation = String(request.headers['x-amz-target'] ?? '');
      const input = parseJson(body);
      // Nothing here writes entries in batches; refusing one is better than a write the stream misses.
      if (operation === 'DynamoDB_20120810.BatchWriteItem' && hasTable(input?.RequestItems, table.tableName)) {
        return answerError(
          response,
          400,
          'ValidationException',
          `${operation} is not supported on ${table.tableName} by the local stream stand-in`,
        );
      }
      const key = input?.TableName === table.tableName && WRITE_TARGETS.has(operation) ? keyOf(input, table) : undefined;
      const recorded = key && (options.recordsItem?.(key) ?? true);
      const answer = recorded ? await captureWrite(body, request.headers, key) : await relay(body, request.headers, target, agent);
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    })().catch(() => request.socket.destroy());
  });
  const port = await listenOnLoopback(server);

  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    deliverTo(handler) {
      if (poller) throw new Error('the stream already has a handler');
      poller = startPoller({ ...options, partition: LOG_PARTITION }, logTable, handler);
      pollerStarted();
    },
    deliverToConsumer(name, handler, consumer) {
      if (!options.additionalConsumers?.includes(name)) throw new Error(`${name} is not a consumer of the stream`);
      if (consumerPollers.has(name)) throw new Error(`the stream already feeds ${name}`);
      consumerPollers.set(name, startPoller({ ...options, ...consumer, partition: consumerPartition(name) }, logTable, handler));
    },
    drained: () =>
      started
        .then(() => Promise.all([poller?.drained(), ...[...consumerPollers.values()].map((consumer) => consumer.drained())]))
        .then(() => undefined),
    stopDelivery: async () => {
      await Promise.all([poller?.stop(), ...[...consumerPollers.values()].map((consumer) => consumer.stop())]);
    },
    async stop() {
      await Promise.all([poller?.stop(), ...[...consumerPollers.values()].map((consumer) => consumer.stop())]);
      await closeServer(server);
      agent.destroy();
    },
  };
}

interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function relay(body: Buffer, headers: IncomingHttpHeaders, target: URL, agent: Agent): Promise<UpstreamAnswer> {
  return new Promise((resolve, reject) => {
    const upstream = forward(
      { host: target.hostname, port: target.port, method: 'POST', path: '/', headers, agent },
      (answer: IncomingMessage) => {
        readBody(answer, MAX_BODY_BYTES).then(
          ({ body: answerBody }) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: answerBody }),
          reject,
        );
      },
    );
    upstream.once('error', reject);
    upstream.end(body);
  });
}

function answerError(response: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: `com.amazon.coral.validate#${type}`, message });
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function hasTable(requestItems: unknown, tableName: string): boolean {
  return typeof requestItems === 'object' && requestItems !== null && tableName in requestItems;
}

function keyOf(input: Record<string, unknown> | undefined, table: StreamedTable): Item | undefined {
  const source = (input?.Key ?? input?.Item) as Item | undefined;
  if (!source) return undefined;
  const key: Item = {};
  for (const attribute of table.keyAttributes) {
    const value = source[attribute];
    if (!value) return undefined;
    key[attribute] = value;
  }
  return key;
}

async function readItem(client: DynamoDBClient, tableName: string, key: Item): Promise<Item | undefined> {
  const { Item: item } = await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  return item;
}

/** The log partition of an additional consumer's copies of the records. */
function consumerPartition(name: string): string {
  return `${LOG_PARTITION}#${name}`;
}

/**
 * Turns an intent into a record, or drops it when the write changed nothing. Each additional
 * consumer's copy is written before the intent becomes ready, so a crash in between leaves the
 * intent, whose resolution at the next start writes the copies again (at least once).
 */
async function settleIntent(
  client: DynamoDBClient,
  table: StreamedTable,
  logTable: string,
  sequenceNumber: string,
  key: Item,
  oldItem: Item | undefined,
  newItem: Item | undefined,
  consumerPartitions: readonly string[],
): Promise<void> {
  const logKey = { pk: { S: LOG_PARTITION }, sk: { S: sequenceNumber } };
  if (isDeepStrictEqual(oldItem, newItem)) {
    await client.send(new DeleteItemCommand({ TableName: logTable, Key: logKey }));
    return;
  }
  const record = streamRecordOf(table.tableName, sequenceNumber, key, oldItem, newItem);
  for (const partition of consumerPartitions) {
    await client.send(
      new PutItemCommand({
        TableName: logTable,
        Item: { pk: { S: partition }, sk: { S: sequenceNumber }, state: { S: 'ready' }, record: { S: JSON.stringify(record) } },
      }),
    );
  }
  await client.send(
    new PutItemCommand({ TableName: logTable, Item: { ...logKey, state: { S: 'ready' }, record: { S: JSON.stringify(record) } } }),
  );
}

/** A stream record as DynamoDB Streams writes it with NEW_AND_OLD_IMAGES. */
function streamRecordOf(
  tableName: string,
  sequenceNumber: string,
  key: Item,
  oldItem: Item | undefined,
  newItem: Item | undefined,
): DynamoDBRecord {
  return {
    eventID: randomUUID().replaceAll('-', ''),
    eventName: oldItem ? (newItem ? 'MODIFY' : 'REMOVE') : 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: LOCAL_RESOURCES.region,
    eventSourceARN: `arn:aws:dynamodb:${LOCAL_RESOURCES.region}:${LOCAL_RESOURCES.accountId}:table/${tableName}/stream/local`,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: key as never,
      ...(newItem ? { NewImage: newItem as never } : {}),
      ...(oldItem ? { OldImage: oldItem as never } : {}),
      SequenceNumber: sequenceNumber,
      SizeBytes: Buffer.byteLength(JSON.stringify([key, newItem, oldItem])),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

interface LogEntry {
  sequenceNumber: string;
  state: 'intent' | 'ready' | 'parked';
  keys: string;
  oldImage?: Item;
  record?: DynamoDBRecord;
  attempts: number;
}

async function readLog(client: DynamoDBClient, logTable: string, limit?: number, partition = LOG_PARTITION): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: logTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: partition } },
        ConsistentRead: true,
        ExclusiveStartKey,
        ...(limit ? { Limit: limit } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const record = item.record?.S ? (JSON.parse(item.record.S) as DynamoDBRecord) : undefined;
      entries.push({
        sequenceNumber: String(item.sk?.S),
        state: item.state?.S as LogEntry['state'],
        keys: item.keys?.S ?? JSON.stringify(record?.dynamodb?.Keys),
        oldImage: item.oldImage?.S ? (JSON.parse(item.oldImage.S) as Item) : undefined,
        record,
        attempts: Number(item.attempts?.N ?? 0),
      });
    }
    ExclusiveStartKey = limit && entries.length >= limit ? undefined : page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return entries;
}

async function lastSequence(client: DynamoDBClient, logTable: string): Promise<number> {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: logTable,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: LOG_PARTITION } },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  return Number(Items[0]?.sk?.S ?? 0);
}

/** After a crash: an intent whose item differs from its old image became a record; the others never happened. */
async function resolveIntents(
  client: DynamoDBClient,
  table: StreamedTable,
  logTable: string,
  consumerPartitions: readonly string[],
): Promise<void> {
  for (const entry of await readLog(client, logTable)) {
    if (entry.state !== 'intent') continue;
    const key = JSON.parse(entry.keys) as Item;
    const current = await readItem(client, table.tableName, key);
    await settleIntent(client, table, logTable, entry.sequenceNumber, key, entry.oldImage, current, consumerPartitions);
  }
}

interface Poller {
  wake(): void;
  drained(): Promise<void>;
  stop(): Promise<void>;
}

/** What one poller delivers with: a consumer's mapping settings and its partition of the log. */
type PollerOptions = Pick<
  LocalStreamOptions,
  'client' | 'filter' | 'batchSize' | 'retryAttempts' | 'functionTimeoutSeconds' | 'functionName' | 'log'
> & {
  partition: string;
};

/** Feeds ready records to the handler in sequence order, as one shard of the event source mapping. */
function startPoller(options: PollerOptions, logTable: string, handler: StreamHandler): Poller {
  const { client } = options;
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  /** Callers of drained(), with the round under way when they asked: only a later idle round answers them. */
  let waiters: { resolve: () => void; askedDuring: number }[] = [];
  let round = 0;
  const functionName = options.functionName ?? 'tech-stack-aggregator';

  // Set by a wake-up that came while no sleep was under way, so the next one is skipped.
  let woken = false;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken) {
        woken = false;
        return resolve();
      }
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const deleteEntry = (sequenceNumber: string) =>
    client.send(new DeleteItemCommand({ TableName: logTable, Key: { pk: { S: options.partition }, sk: { S: sequenceNumber } } }));

  /** One round: false when there was nothing to deliver. */
  const deliverOnce = async (): Promise<boolean> => {
    const entries = (await readLog(client, logTable, options.batchSize * 2, options.partition)).filter((entry) => entry.state !== 'parked');
    const ready: LogEntry[] = [];
    const waiting = new Set<string>();
    for (const entry of entries) {
      // A write still in flight holds back the later records of its item (there are none yet, by the item lock).
      if (entry.state === 'intent') waiting.add(entry.keys);
      else if (!waiting.has(entry.keys) && ready.length < options.batchSize) ready.push(entry);
    }
    // Only intents left: their writes wake the poller when they settle.
    if (ready.length === 0) return false;
    const delivered = ready.filter((entry) => entry.record && options.filter(entry.record));
    const firstFailed = delivered.length > 0 ? await invoke(delivered) : undefined;
    const failedAt = firstFailed === undefined ? ready.length : ready.findIndex((entry) => entry.sequenceNumber === firstFailed);
    for (const entry of ready.slice(0, failedAt)) await deleteEntry(entry.sequenceNumber);
    const failed = ready[failedAt];
    if (failed) await recordFailure(failed);
    return true;
  };

  /** Invokes the handler; the sequence number of the first record to retry, if any. */
  const invoke = async (entries: LogEntry[]): Promise<string | undefined> => {
    const records = entries.flatMap((entry) => (entry.record ? [entry.record] : []));
    try {
      const response = await handler({ Records: records }, fakeLambdaContext(functionName, options.functionTimeoutSeconds));
      const failures = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      return entries.find((entry) => failures.has(entry.sequenceNumber))?.sequenceNumber;
    } catch (error) {
      options.log(`${functionName}: batch of ${records.length} stream records failed: ${(error as Error).message}`);
      return entries[0]?.sequenceNumber;
    }
  };

  const recordFailure = async (entry: LogEntry) => {
    const attempts = entry.attempts + 1;
    const parked = attempts > options.retryAttempts;
    if (parked) options.log(`${functionName}: stream record ${entry.sequenceNumber} failed ${attempts} times; parked in ${logTable}`);
    await client.send(
      new PutItemCommand({
        TableName: logTable,
        Item: {
          pk: { S: options.partition },
          sk: { S: entry.sequenceNumber },
          state: { S: parked ? 'parked' : 'ready' },
          record: { S: JSON.stringify(entry.record) },
          attempts: { N: String(attempts) },
        },
      }),
    );
    if (!parked) await sleep(RETRY_PAUSE_MS * Math.min(2 ** (attempts - 1), 16));
  };

  const loop = (async () => {
    while (!stopped) {
      const started = ++round;
      let busy = false;
      try {
        busy = await deliverOnce();
      } catch (error) {
        if (!stopped) options.log(`${functionName}: reading the local stream failed: ${(error as Error).message}`);
      }
      if (!busy) {
        const answered = waiters.filter((waiter) => waiter.askedDuring < started);
        waiters = waiters.filter((waiter) => waiter.askedDuring >= started);
        for (const waiter of answered) waiter.resolve();
        if (!stopped) await sleep(1000);
      }
    }
    for (const waiter of waiters.splice(0)) waiter.resolve();
  })();

  return {
    wake: () => {
      woken = true;
      wakeUp?.();
    },
    drained: () =>
      new Promise<void>((resolve) => {
        waiters.push({ resolve, askedDuring: round });
        woken = true;
        wakeUp?.();
      }),
    async stop() {
      stopped = true;
      woken = true;
      wakeUp?.();
      await loop;
      waiters = [];
    },
  };
}
