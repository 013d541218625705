import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoDbEntryStore } from '../../lambdas/devlog-api/adapters/dynamodb-entry-store.js';
import { DynamoDbTagReads } from '../../lambdas/devlog-api/adapters/dynamodb-tag-reads.js';
import { DynamoDbTagAggregates } from '../../lambdas/devlog-api/adapters/dynamodb-tag-aggregates.js';
import { TAGS_TABLE as TAGS_TABLE_LAYOUT, tagIndexPartition } from '../../lambdas/devlog-api/adapters/tags-table.js';
import { readTechStack, syncEntryTags } from '../../lambdas/devlog-api/domain/sync-entry-tags.js';
import { DynamoDbEntryTagSource } from '../../lambdas/devlog-api/adapters/dynamodb-entry-tag-source.js';
import { createAggregatorHandler } from '../../lambdas/devlog-api/aggregator/handler-factory.js';
import { AGGREGATOR_SETTINGS } from '../../lambdas/devlog-api/aggregator/settings.js';
import { entryKey } from '../../lambdas/contract/index.js';
import { DynamoDbEntryTagStore } from '../../lambdas/tag-extraction/adapters/dynamodb-entry-tag-store.js';
import {
  dynamoDbClientFor,
  ensureEntryTable,
  ensureKeyedTable,
  startDynamoDb,
  type DynamoDbEmulator,
} from '../../local/emulators/dynamodb.js';
import { type LocalStream, streamLogTableName, type StreamHandler } from '../../local/emulators/dynamodb-stream.js';
import { capturedLogger } from '../unit/support/captured-logger.js';
import { startEntryStream } from './support/entry-stream.js';

const TABLE = 'entries-stream-test';
const TAGS_TABLE = 'tags-stream-test';
const OWNER = 'alice';

let dynamo: DynamoDbEmulator;
let direct: DynamoDBClient;
let stream: LocalStream | undefined;
let viaStream: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let delivered: DynamoDBRecord[];

beforeEach(async () => {
  dynamo = await startDynamoDb();
  direct = dynamoDbClientFor(dynamo.endpoint);
  await Promise.all([ensureEntryTable(direct, TABLE), ensureKeyedTable(direct, TAGS_TABLE, TAGS_TABLE_LAYOUT)]);
  delivered = [];
});

afterEach(async () => {
  await stream?.stop();
  stream = undefined;
  viaStream?.destroy();
  direct.destroy();
  await dynamo.stop();
});

/** Starts the stream stand-in with the real aggregator behind `wrap` (which may fail records). */
async function startStream(
  wrap: (aggregate: StreamHandler) => StreamHandler = (aggregate) => aggregate,
  recordsItem?: (keys: Record<string, { S?: string }>) => boolean,
) {
  const aggregatorClient = DynamoDBDocumentClient.from(direct);
  const handle = wrap(
    createAggregatorHandler(
      { TABLE_NAME: TABLE, TAGS_TABLE_NAME: TAGS_TABLE },
      { documentClient: aggregatorClient, logger: capturedLogger('devlog-tech-stack').logger },
    ),
  );
  stream = await startEntryStream(direct, dynamo.endpoint, TABLE, {
    filter: (record) => String(record.dynamodb?.Keys?.sk?.S).startsWith(AGGREGATOR_SETTINGS.entrySortKeyPrefix),
    batchSize: AGGREGATOR_SETTINGS.batchSize,
    retryAttempts: 2,
    recordsItem,
  });
  stream.deliverTo(async (event, context) => {
    delivered.push(...event.Records);
    return handle(event, context);
  });
  viaStream = dynamoDbClientFor(stream.endpoint);
  documents = DynamoDBDocumentClient.from(viaStream, { marshallOptions: { removeUndefinedValues: true } });
}

const entries = () => new DynamoDbEntryStore(documents, TABLE);
const extraction = () => new DynamoDbEntryTagStore(documents, TABLE);
const aggregates = () => new DynamoDbTagAggregates(DynamoDBDocumentClient.from(direct), TAGS_TABLE);

async function createEntry(id: string, createdAt: string) {
  await entries().create({ id, ownerId: OWNER, entry: 'text', status: 'pending', tags: [], revision: 1, createdAt, updatedAt: createdAt });
}

async function tagEntry(id: string, tags: string[], promptVersion = 1) {
  await extraction().saveTags(
    { ownerId: OWNER, entryId: id, revision: 1 },
    { tags, model: 'm', promptVersion, extractorVersion: '1.0.0' },
    new Date(),
  );
}

async function counts() {
  await stream?.drained();
  return (await readTechStack(new DynamoDbTagReads(DynamoDBDocumentClient.from(direct), TAGS_TABLE), OWNER, 100)).items;
}

describe('the tech-stack aggregator behind the local stream stand-in', () => {
  it('follows entries through creation, tagging, re-extraction by a newer prompt and deletion', async () => {
    await startStream();
    await createEntry('01A', '2026-01-01T00:00:00.000Z');
    await createEntry('01B', '2026-02-01T00:00:00.000Z');
    await createEntry('01C', '2026-03-01T00:00:00.000Z');
    await tagEntry('01A', ['Django']);
    await tagEntry('01B', ['django', 'Redis']);
    await tagEntry('01C', ['Django']);
    await tagEntry('01C', ['Django', 'Celery'], 2);
    await documents.send(new DeleteCommand({ TableName: TABLE, Key: entryKey(OWNER, '01C') }));

    expect(await counts()).toEqual([
      { value: 'django', count: 2, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-02-01T00:00:00.000Z' },
      { value: 'Redis', count: 1, firstSeen: '2026-02-01T00:00:00.000Z', lastSeen: '2026-02-01T00:00:00.000Z' },
    ]);
    const { Items = [] } = await DynamoDBDocumentClient.from(direct).send(
      new QueryCommand({
        TableName: TAGS_TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': tagIndexPartition(OWNER, 'django') },
        ScanIndexForward: false,
      }),
    );
    expect(Items.map((item) => item.entryId)).toEqual(['01B', '01A']);
  });

  it('delivers the records of one item in write order, with both images, and none for a write that changed nothing', async () => {
    await startStream();
    await createEntry('01A', '2026-01-01T00:00:00.000Z');
    await tagEntry('01A', ['Django']);
    await tagEntry('01A', ['Django']);
    await documents.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: entryKey(OWNER, '01A'),
        UpdateExpression: 'SET #status = :done',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'done' },
      }),
    );
    await stream?.drained();

    expect(delivered.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY']);
    expect(delivered[1]?.dynamodb?.OldImage?.status).toEqual({ S: 'pending' });
    expect(delivered[1]?.dynamodb?.NewImage?.status).toEqual({ S: 'done' });
    const sequence = delivered.map((record) => record.dynamodb?.SequenceNumber ?? '');
    expect([...sequence].sort()).toEqual(sequence);
  });

  it('retries a failed record and everything after it, and counts exactly once in the end', async () => {
    let failuresLeft = 2;
    await startStream((aggregate) => async (event, context) => {
      if (failuresLeft > 0) {
        failuresLeft--;
        return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' })) };
      }
      return aggregate(event, context);
    });
    await createEntry('01A', '2026-01-01T00:00:00.000Z');
    await tagEntry('01A', ['Kafka']);

    expect((await counts()).map(({ value, count }) => [value, count])).toEqual([['Kafka', 1]]);
    expect(delivered.filter((record) => record.eventName === 'INSERT')).toHaveLength(3);
  });

  it('stops delivering once the batch under way is handled, and keeps later records for the next start', async () => {
    const inHandler = Promise.withResolvers<void>();
    const release = Promise.withResolvers<void>();
    await startStream((aggregate) => async (event, context) => {
      inHandler.resolve();
      await release.promise;
      return aggregate(event, context);
    });
    await createEntry('01A', '2026-01-01T00:00:00.000Z');
    await inHandler.promise;

    let stopped = false;
    const stopping = stream!.stopDelivery().then(() => {
      stopped = true;
    });
    await createEntry('01B', '2026-02-01T00:00:00.000Z');
    expect(stopped).toBe(false);
    release.resolve();
    await stopping;

    const sortKeys = () => delivered.map((record) => record.dynamodb?.Keys?.sk?.S);
    expect(sortKeys()).toEqual([entryKey(OWNER, '01A').sk]);
    await stream!.stop();
    viaStream.destroy();
    await startStream();
    await stream!.drained();
    expect(sortKeys()).toEqual([entryKey(OWNER, '01A').sk, entryKey(OWNER, '01B').sk]);
  });

  it('delivers at the next start what a crash between a write and its record left as an intent', async () => {
    await ensureLogTableWithIntent();
    await startStream();

    expect((await counts()).map(({ value, count }) => [value, count])).toEqual([['Rust', 1]]);
  });

  it('never lists an item that skipped the stand-in (idempotency keys are filtered out like in AWS)', async () => {
    await startStream();
    await documents.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: `OWNER#${OWNER}`, sk: 'IDEMPOTENCY#k' },
        UpdateExpression: 'SET #state = :s',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':s': 'in-progress' },
      }),
    );
    await stream?.drained();
    expect(delivered).toEqual([]);
  });

  it('forwards writes to items it does not record as they are: no image reads, no log entry (a hot quota counter)', async () => {
    await startStream(undefined, (keys) => String(keys.sk?.S).startsWith('ENTRY#'));
    const counter = { pk: `OWNER#${OWNER}`, sk: 'QUOTA#2026-12-01' };
    const standInCalls = vi.spyOn(direct, 'send');

    await Promise.all(
      Array.from({ length: 20 }, () =>
        documents.send(
          new UpdateCommand({
            TableName: TABLE,
            Key: counter,
            UpdateExpression: 'ADD entryCount :one',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        ),
      ),
    );
    await createEntry('01R', '2026-12-01T10:00:00.000Z');
    await stream?.drained();

    const aboutTheCounter = standInCalls.mock.calls.filter(([command]) => JSON.stringify(command.input).includes('QUOTA#'));
    expect(aboutTheCounter).toEqual([]);
    expect(delivered.map((record) => record.dynamodb?.Keys?.sk?.S)).toEqual(['ENTRY#01R']);
  });

  it('keeps a total exact when many entries with the same tag are synced at once', async () => {
    await startStream();
    const ids = Array.from({ length: 6 }, (_, index) => `01X${String(index).padStart(2, '0')}`);
    for (const id of ids) await createEntry(id, `2026-04-${String(ids.indexOf(id) + 1).padStart(2, '0')}T00:00:00.000Z`);
    await Promise.all(
      ids.map((id) =>
        direct.send(
          new PutItemCommand({
            TableName: TABLE,
            Item: {
              ...{ pk: { S: `OWNER#${OWNER}` }, sk: { S: `ENTRY#${id}` } },
              createdAt: { S: '2026-04-01T00:00:00.000Z' },
              tags: { L: [{ M: { type: { S: 'tech-stack' }, value: { S: 'Go' } } }] },
            },
          }),
        ),
      ),
    );
    const deps = { entries: new DynamoDbEntryTagSource(DynamoDBDocumentClient.from(direct), TABLE), aggregates: aggregates() };

    await Promise.all(ids.flatMap((id) => [syncEntryTags(deps, OWNER, id), syncEntryTags(deps, OWNER, id)]));

    expect(
      (await readTechStack(new DynamoDbTagReads(DynamoDBDocumentClient.from(direct), TAGS_TABLE), OWNER, 100)).items.map(
        ({ value, count }) => [value, count],
      ),
    ).toEqual([['Go', 6]]);
  });
});

describe('the aggregates on dynalite against a recount of the tag index', () => {
  it('stay exact through crashes after each kind of write, duplicates, reordering, edits and deletes', async () => {
    // Arrange: entries written straight to the table; syncs run like stream records, some crash
    const docs = DynamoDBDocumentClient.from(direct);
    const source = new DynamoDbEntryTagSource(docs, TABLE);
    const store = aggregates();
    const writes = new Map<string, number>();
    const crashing = new Set<string>();
    for (const method of ['beginChange', 'indexEntry', 'unindexEntry', 'applyToTotal', 'finishChange'] as const) {
      const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
      (store as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
        const result = await original(...args);
        writes.set(method, (writes.get(method) ?? 0) + 1);
        // A crash after the write landed: the caller never learns it did.
        if (crashing.delete(method)) throw new Error(`crash after ${method}`);
        return result;
      };
    }
    const deps = { entries: source, aggregates: store };
    const put = (id: string, createdAt: string, tags: string[] | undefined) =>
      tags === undefined
        ? docs.send(new DeleteCommand({ TableName: TABLE, Key: { pk: `OWNER#${OWNER}`, sk: `ENTRY#${id}` } }))
        : docs.send(
            new PutCommand({
              TableName: TABLE,
              Item: { pk: `OWNER#${OWNER}`, sk: `ENTRY#${id}`, createdAt, tags: tags.map((value) => ({ type: 'tech-stack', value })) },
            }),
          );
    const sync = (id: string) => syncEntryTags(deps, OWNER, id).catch(() => undefined);
    const steps: [string, string, string[] | undefined, string?][] = [
      ['01A', '2026-01-01T00:00:00.000Z', ['Django', 'Kafka']],
      ['01B', '2026-02-01T00:00:00.000Z', ['django'], 'applyToTotal'],
      ['01C', '2026-03-01T00:00:00.000Z', ['Django', 'Rust'], 'indexEntry'],
      ['01A', '2026-01-01T00:00:00.000Z', ['Kafka'], 'beginChange'],
      ['01C', '2026-03-01T00:00:00.000Z', undefined, 'unindexEntry'],
      ['01B', '2026-02-01T00:00:00.000Z', ['DJANGO', 'Rust'], 'finishChange'],
      ['01A', '2026-01-01T00:00:00.000Z', undefined],
    ];

    // Act: each change synced, its record redelivered, older records of other entries arriving late
    for (const [id, createdAt, tags, crash] of steps) {
      await put(id, createdAt, tags);
      if (crash) crashing.add(crash);
      await sync(id);
      await sync(id);
      for (const other of ['01A', '01B', '01C']) await sync(other);
    }

    // Assert
    const recount = new Map<string, { count: number; firstSeen: string; lastSeen: string; value: string }>();
    for (const key of ['django', 'kafka', 'rust']) {
      const { Items = [] } = await docs.send(
        new QueryCommand({
          TableName: TAGS_TABLE,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': tagIndexPartition(OWNER, key) },
          ConsistentRead: true,
        }),
      );
      if (Items.length === 0) continue;
      const [first, last] = [Items[0]!, Items.at(-1)!];
      recount.set(String(last.value), {
        count: Items.length,
        firstSeen: String(first.createdAt),
        lastSeen: String(last.createdAt),
        value: String(last.value),
      });
    }
    const stored = (await readTechStack(new DynamoDbTagReads(docs, TAGS_TABLE), OWNER, 100)).items;
    expect(stored).toEqual([
      { value: 'DJANGO', count: 1, firstSeen: '2026-02-01T00:00:00.000Z', lastSeen: '2026-02-01T00:00:00.000Z' },
      { value: 'Rust', count: 1, firstSeen: '2026-02-01T00:00:00.000Z', lastSeen: '2026-02-01T00:00:00.000Z' },
    ]);
    expect(stored).toEqual(
      expect.arrayContaining([...recount.values()].map(({ value, count, firstSeen, lastSeen }) => ({ value, count, firstSeen, lastSeen }))),
    );
    expect(stored).toHaveLength(recount.size);
    expect(crashing.size).toBe(0);
  });
});

/** A crash right after dynalite stored a write but before the stand-in turned its intent into a record. */
async function ensureLogTableWithIntent() {
  const probe = await startEntryStream(direct, dynamo.endpoint, TABLE, { retryAttempts: 0 });
  await probe.stop();
  const key = { pk: { S: `OWNER#${OWNER}` }, sk: { S: 'ENTRY#01R' } };
  await direct.send(
    new PutItemCommand({
      TableName: streamLogTableName(TABLE),
      Item: { pk: { S: 'shard-0' }, sk: { S: '000000000000000000001' }, state: { S: 'intent' }, keys: { S: JSON.stringify(key) } },
    }),
  );
  await direct.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: {
        ...key,
        createdAt: { S: '2026-05-01T00:00:00.000Z' },
        tags: { L: [{ M: { type: { S: 'tech-stack' }, value: { S: 'Rust' } } }] },
      },
    }),
  );
  await direct.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: 'nobody' }, sk: { S: 'nothing' } } }));
}
