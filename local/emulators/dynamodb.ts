import { mkdir } from 'node:fs/promises';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ENTRY_TABLE } from '../../lambdas/contract/index.js';
import { closeServer, listenOnLoopback } from '../http-server.js';
import { LOCAL_RESOURCES } from '../settings.js';

/** A running DynamoDB emulator. */
export interface DynamoDbEmulator {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts dynalite (pure JS, no Java, no Docker) on a free loopback port, on disk under `path`
 * or in memory without it. It lacks TransactWriteItems and UpdateTimeToLive, which we do not use.
 */
export async function startDynamoDb(options: { path?: string; createTableMs?: number } = {}): Promise<DynamoDbEmulator> {
  if (options.path) await mkdir(options.path, { recursive: true });
  // createTableMs 0: a new table is CREATING only until dynalite's next tick and its write of
  // the status, not for half a second (tests set more to show that callers wait for ACTIVE).
  const server = dynalite({ path: options.path, createTableMs: options.createTableMs ?? 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listenOnLoopback(server);
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => closeServer(server) };
}

/** A DynamoDB client for an emulator, with the fake credentials it accepts. */
export function dynamoDbClientFor(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_RESOURCES.region,
    credentials: LOCAL_RESOURCES.credentials,
  });
}

/** A GSI as the contract describes it. */
interface IndexLayout {
  name: string;
  partitionKey: string;
  sortKey: string;
}

/** Every index the contract's ENTRY_TABLE declares (`pendingIndex`, `failedIndex`, ...). */
export function entryTableIndexes(): IndexLayout[] {
  return (Object.values(ENTRY_TABLE) as unknown[]).filter(
    (value): value is IndexLayout =>
      typeof value === 'object' && value !== null && 'name' in value && 'partitionKey' in value && 'sortKey' in value,
  );
}

/**
 * Creates the entries table with the contract's layout unless it exists (it survives restarts
 * on disk). The indexes project ALL here; the deployed ones include only id and ownerId, which
 * is all that code reads from them. An existing table whose indexes differ from the contract
 * (the contract changed since it was created) is reported: dynalite cannot add an index later.
 */
export async function ensureEntryTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'existing'> {
  const indexes = entryTableIndexes();
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const existing = new Set(
      (Table?.GlobalSecondaryIndexes ?? []).map(
        (index) => `${index.IndexName}:${index.KeySchema?.map((key) => key.AttributeName).join(',')}`,
      ),
    );
    const missing = indexes.filter((index) => !existing.has(`${index.name}:${index.partitionKey},${index.sortKey}`));
    if (missing.length > 0) {
      throw new Error(
        `the local table ${tableName} lacks index ${missing.map((index) => index.name).join(', ')} that lambdas/contract now declares; ` +
          'start once with `npm start -- --reset` to recreate it (this deletes the local entries)',
      );
    }
    return 'existing';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const { partitionKey, sortKey } = ENTRY_TABLE;
  const keyAttributes = [...new Set([partitionKey, sortKey, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])])];
  await createActiveTable(client, {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  });
  return 'created';
}

/** A GSI that projects only some attributes, as a table layout declares it (and the stacks deploy it). */
export interface IncludeIndexLayout extends IndexLayout {
  nonKeyAttributes: readonly string[];
}

/**
 * Creates a table keyed by a string partition key and a string sort key, with the layout's
 * indexes projected exactly as deployed (INCLUDE its attributes), unless it exists. An existing
 * table without one of the indexes is reported: dynalite cannot add an index later.
 */
export async function ensureKeyedTable(
  client: DynamoDBClient,
  tableName: string,
  keys: { partitionKey: string; sortKey: string; indexes?: readonly IncludeIndexLayout[] },
): Promise<void> {
  const indexes = keys.indexes ?? [];
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    const missing = indexes.filter((index) => !existing.has(index.name));
    if (missing.length > 0) {
      throw new Error(
        `the local table ${tableName} lacks index ${missing.map((index) => index.name).join(', ')}; ` +
          'start once with `npm start -- --reset` to recreate it (this deletes the local entries)',
      );
    }
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const keyAttributes = [...new Set([keys.partitionKey, keys.sortKey, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])])];
  await createActiveTable(client, {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: keys.partitionKey, KeyType: 'HASH' },
      { AttributeName: keys.sortKey, KeyType: 'RANGE' },
    ],
    ...(indexes.length > 0
      ? {
          GlobalSecondaryIndexes: indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] },
          })),
        }
      : {}),
  });
}

/**
 * Creates a table and returns once it is ACTIVE: a table still CREATING answers reads and writes
 * with ResourceNotFoundException, in dynalite (until its status write lands) as in DynamoDB.
 */
async function createActiveTable(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  await client.send(new CreateTableCommand(input));
  await waitUntilTableExists({ client, minDelay: 0.02, maxDelay: 0.5, maxWaitTime: 30 }, { TableName: input.TableName });
}
