import { Logger } from '@aws-lambda-powertools/logger';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  GetItemCommand,
  type ConsumedCapacity,
  type DynamoDBClient,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import {
  appliedKey,
  TAGS_TABLE,
  TECH_STACK_INDEX,
  tagIndexItem,
  tagIndexPartition,
  totalKey,
} from '../lambdas/devlog-api/adapters/tags-table.js';
import { techStackRank } from '../lambdas/devlog-api/domain/tech-stack.js';
import { createAggregatorHandler, type TechStackAggregatorHandler } from '../lambdas/devlog-api/aggregator/handler-factory.js';
import { entryKey } from '../lambdas/contract/index.js';
import { dynamoDbClientFor, ensureEntryTable, ensureKeyedTable, startDynamoDb } from '../local/emulators/dynamodb.js';
import { fakeLambdaContext } from '../local/lambda-context.js';
import { TAGS_BILLED_TABLE } from '../local/metering/billed-tables.js';
import { indexWriteUnitsOf, type WireItem } from '../local/metering/dynamodb-units.js';
import type { ReportRow } from './report.js';

/*
 * `aggregator-scale`: what one change of an entry costs the tech-stack aggregator in DynamoDB
 * units when the user already has 10, 1,000 or 10,000 entries carrying the tag. The real
 * handler (createAggregatorHandler) runs against dynalite; every request asks for its
 * ConsumedCapacity (INDEXES). dynalite leaves index writes out of it, so those are counted
 * from the item sizes as DynamoDB bills them, by the cost section's meter (indexWriteUnitsOf):
 * the total item read before and after the change, projected onto the index by count (a put, a
 * delete, or both when the sort key moves).
 */

/** The prior entries carrying the tag, per scale. */
export const AGGREGATOR_SCALES = [10, 1_000, 10_000] as const;

/** The changes measured at every scale. */
const CHANGES = ['add the newest entry', 'respell the newest', 'delete the newest', 'delete the oldest'] as const;

/** DynamoDB units of one change. */
export interface ChangeUnits {
  readUnits: number;
  writeUnits: number;
  /** Writes to the index by count, from item sizes. */
  indexWriteUnits: number;
  requests: number;
}

/** The units of each change at one scale. */
export interface AggregatorScaleResult {
  priorEntries: number;
  changes: Record<(typeof CHANGES)[number], ChangeUnits>;
  seedSeconds: number;
}

const OWNER = 'bench-owner';
const TAG = 'Django';
const ENTRIES = 'bench-entries';
const TAGS = 'bench-tags';

/** Measures the changes at each scale on a fresh in-memory dynalite. */
export async function measureAggregatorScale(
  scales: readonly number[],
  log: (line: string) => void = () => undefined,
): Promise<AggregatorScaleResult[]> {
  const dynamo = await startDynamoDb();
  const raw = dynamoDbClientFor(dynamo.endpoint);
  const meter = { read: 0, write: 0, requests: 0 };
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'INDEXES';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity;
      const isRead = /^(Get|Query|Scan|BatchGet)/.test(String(context.commandName));
      meter.requests++;
      if (isRead) meter.read += consumed?.CapacityUnits ?? 0;
      else meter.write += consumed?.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'consumedCapacityMeter' },
  );
  const documents = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const logger = new Logger({ serviceName: 'devlog-tech-stack', logLevel: 'SILENT' });
  const handler = createAggregatorHandler({ TABLE_NAME: ENTRIES, TAGS_TABLE_NAME: TAGS }, { documentClient: documents, logger });
  const context = fakeLambdaContext('tech-stack-aggregator', 60);
  try {
    await Promise.all([ensureEntryTable(raw, ENTRIES), ensureKeyedTable(raw, TAGS, TAGS_TABLE)]);
    const results: AggregatorScaleResult[] = [];
    for (const [scaleIndex, prior] of scales.entries()) {
      const owner = `${OWNER}-${scaleIndex}`;
      const started = Date.now();
      const ids = Array.from({ length: prior }, (_, n) => entryId(n));
      await seed(raw, documents, handler, context, owner, ids);
      const seedSeconds = (Date.now() - started) / 1000;
      log(`aggregator-scale: ${prior} entries of the tag seeded in ${seedSeconds.toFixed(1)} s`);
      const newest = entryId(prior + 1);
      const measure = async (write: () => Promise<DynamoDBRecord>): Promise<ChangeUnits> => {
        const before = await readTotal(raw, owner);
        const record = await write();
        const snapshot = { ...meter };
        await handler({ Records: [record] }, context);
        const changed = {
          read: meter.read - snapshot.read,
          write: meter.write - snapshot.write,
          requests: meter.requests - snapshot.requests,
        };
        const after = await readTotal(raw, owner);
        return {
          readUnits: changed.read,
          writeUnits: changed.write,
          indexWriteUnits: indexWriteUnitsOf(TAGS_BILLED_TABLE, before, after),
          requests: changed.requests,
        };
      };
      const put = async (id: string, value: string | undefined) => {
        const item = value === undefined ? undefined : entryItem(owner, id, value);
        const key = marshalledKey(owner, id);
        await raw.send(
          new BatchWriteItemCommand({
            RequestItems: { [ENTRIES]: [item ? { PutRequest: { Item: item } } : { DeleteRequest: { Key: key } }] },
          }),
        );
        return insertRecord(owner, id, value);
      };
      const changes = {
        'add the newest entry': await measure(() => put(newest, TAG)),
        'respell the newest': await measure(() => put(newest, 'django')),
        'delete the newest': await measure(() => put(newest, undefined)),
        'delete the oldest': await measure(() => put(ids[0] ?? entryId(0), undefined)),
      };
      results.push({ priorEntries: prior, changes, seedSeconds });
    }
    return results;
  } finally {
    documents.destroy();
    await dynamo.stop();
  }
}

/**
 * Leaves the tables as the aggregator would after syncing every entry of `ids`: the oldest and
 * the newest through the real handler, and up to 10 more; the ones in between (which change
 * neither end) written in bulk as it writes them (entry, tag-index row, applied record) and
 * counted into the total. Checked against a recount of the tag index.
 */
async function seed(
  raw: DynamoDBClient,
  documents: DynamoDBDocumentClient,
  handler: TechStackAggregatorHandler,
  context: Context,
  owner: string,
  ids: string[],
): Promise<void> {
  const synced = ids.length <= 12 ? ids : [...ids.slice(0, 11), ...ids.slice(-1)];
  const bulk = ids.length <= 12 ? [] : ids.slice(11, -1);
  for (const id of synced)
    await raw.send(new BatchWriteItemCommand({ RequestItems: { [ENTRIES]: [{ PutRequest: { Item: entryItem(owner, id, TAG) } }] } }));
  await handler({ Records: synced.map((id) => insertRecord(owner, id, TAG)) }, context);
  const key = TAG.toLowerCase();
  for (let start = 0; start < bulk.length; start += 12) {
    const chunk = bulk.slice(start, start + 12);
    await raw.send(
      new BatchWriteItemCommand({ RequestItems: { [ENTRIES]: chunk.map((id) => ({ PutRequest: { Item: entryItem(owner, id, TAG) } })) } }),
    );
    await documents.send(
      new BatchWriteCommand({
        RequestItems: {
          [TAGS]: chunk.flatMap((id) => [
            { PutRequest: { Item: tagIndexItem(owner, key, id, TAG, createdAt(id)) } },
            { PutRequest: { Item: { ...appliedKey(owner, id), tags: { [key]: TAG }, version: 'seeded' } } },
          ]),
        },
      }),
    );
  }
  const last = ids.at(-1);
  if (bulk.length > 0 && last) {
    await documents.send(
      new UpdateCommand({
        TableName: TAGS,
        Key: totalKey(owner, key),
        UpdateExpression: 'SET #count = :count, #rank = :rank',
        ExpressionAttributeNames: { '#count': 'count', '#rank': TECH_STACK_INDEX.sortKey },
        ExpressionAttributeValues: { ':count': ids.length, ':rank': techStackRank(ids.length, createdAt(last), key) },
      }),
    );
  }
  let rows = 0;
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await raw.send(
      new QueryCommand({
        TableName: TAGS,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: tagIndexPartition(owner, key) } },
        Select: 'COUNT',
        ExclusiveStartKey,
      }),
    );
    rows += page.Count ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const count = Number((await readTotal(raw, owner))?.count?.N);
  if (rows !== ids.length || count !== ids.length) {
    throw new Error(`seeding ${ids.length} entries left ${rows} index rows and a total of ${count}`);
  }
}

/** The bench rows: units per change at each scale, and whether the largest stays within 10 % of the smallest. */
export function aggregatorScaleRows(results: AggregatorScaleResult[]): ReportRow[] {
  const section = 'aggregator scale (DynamoDB units per change)';
  const rows: ReportRow[] = [];
  for (const change of CHANGES) {
    const totals = results.map((result) => unitsOf(result.changes[change]));
    const flat = Math.max(...totals) <= Math.min(...totals) * 1.1;
    rows.push({
      section,
      figure: change,
      value: results
        .map(({ priorEntries, changes }) => {
          const units = changes[change];
          return `${priorEntries}: ${units.readUnits} R + ${units.writeUnits + units.indexWriteUnits} W`;
        })
        .join(', '),
      target: 'flat within 10 %',
      pass: flat,
      conditions:
        'real aggregator handler on dynalite, one record per change; R = read units, W = write units (table from ConsumedCapacity, index by count from item sizes); ' +
        results.map((result) => `${result.priorEntries} prior entries seeded in ${result.seedSeconds.toFixed(1)} s`).join(', '),
    });
  }
  return rows;
}

function unitsOf(units: ChangeUnits): number {
  return units.readUnits + units.writeUnits + units.indexWriteUnits;
}

function entryId(n: number): string {
  // ULID-shaped and ascending, so id order is creation order as with real ids.
  return `01JDQ8Z6X4${String(n).padStart(16, '0')}`;
}

function createdAt(id: string): string {
  return new Date(Date.UTC(2026, 0, 1) + Number(id.slice(10)) * 60_000).toISOString();
}

function entryItem(owner: string, id: string, tag: string) {
  return {
    ...marshalledKey(owner, id),
    id: { S: id },
    ownerId: { S: owner },
    entry: { S: `Used ${tag}` },
    status: { S: 'done' },
    createdAt: { S: createdAt(id) },
    tags: { L: [{ M: { type: { S: 'tech-stack' }, value: { S: tag } } }] },
  };
}

function marshalledKey(owner: string, id: string) {
  const { pk, sk } = entryKey(owner, id);
  return { pk: { S: pk }, sk: { S: sk } };
}

/** A stream record naming the entry (the aggregator reads the entry as it is now, so the images only need to differ). */
function insertRecord(owner: string, id: string, tag: string | undefined): DynamoDBRecord {
  const keys = marshalledKey(owner, id);
  const image = tag === undefined ? undefined : entryItem(owner, id, tag);
  return {
    eventID: `bench-${id}-${tag ?? 'removed'}`,
    eventName: image ? 'INSERT' : 'REMOVE',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-central-1',
    eventSourceARN: `arn:aws:dynamodb:eu-central-1:123456789012:table/${ENTRIES}/stream/bench`,
    dynamodb: {
      Keys: keys as never,
      ...(image ? { NewImage: image as never } : { OldImage: { ...keys, tags: { L: [{ M: { value: { S: 'x' } } }] } } as never }),
      SequenceNumber: String(Date.now()),
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** The tag's total as stored (DynamoDB's wire format, as the meter bills items), read past the meter. */
async function readTotal(raw: DynamoDBClient, owner: string): Promise<WireItem | undefined> {
  const { pk, sk } = totalKey(owner, TAG.toLowerCase());
  const { Item } = await raw.send(new GetItemCommand({ TableName: TAGS, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }));
  return Item;
}
