import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryKey, ownerPartition } from '../../lambdas/contract/index.js';
import { eventually, startTestEmulators, type TestEmulators } from './support/emulators.js';
import { type ProxiedTestApi, startTestApiThroughProxy } from './support/gateway.js';

/*
 * GET /logs/{id} with Prefer: wait through the real handler, the local API gateway and the
 * DynamoDB emulator. No extraction runs here: the test tags the entry itself, once it has seen
 * (through a proxy in front of DynamoDB) that the waiting GET read it pending.
 */

const GET_ITEM = 'DynamoDB_20120810.GetItem';
/** The cap of open waits per user in these tests. */
const MAX_OPEN_WAITS = 2;
let emulators: TestEmulators;
let gateway: ProxiedTestApi;

beforeAll(async () => {
  emulators = await startTestEmulators();
  gateway = await startTestApiThroughProxy(emulators, 'dynamoDb', { MAX_OPEN_WAITS_PER_USER: String(MAX_OPEN_WAITS) });
});

afterAll(async () => {
  await gateway?.stop();
  await emulators?.stop();
});

async function createPendingEntry(userId = 'waiter'): Promise<string> {
  const created = await gateway.call(userId, '/logs', { method: 'POST', body: { entry: 'Heute mit Django und Kafka' } });
  expect(created.status).toBe(202);
  expect(created.headers.get('retry-after')).toMatch(/^\d+$/);
  return String(created.body?.id);
}

/** Marks the entry done as the extraction does. */
async function tag(id: string): Promise<void> {
  await emulators.documents.send(
    new UpdateCommand({
      TableName: emulators.tableName,
      Key: entryKey('waiter', id),
      UpdateExpression: 'SET #status = :done, tags = :tags REMOVE pendingBucket',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':done': 'done', ':tags': [{ type: 'tech-stack', value: 'Django' }] },
    }),
  );
}

describe('GET /logs/{id} with Prefer: wait', () => {
  it('answers as soon as the entry is tagged while the GET waits, not after the 20 s', async () => {
    // Arrange: a GET waiting up to 20 s has read the entry pending
    const id = await createPendingEntry();
    const readsBefore = gateway.proxy.stats.forwarded[GET_ITEM] ?? 0;
    const started = performance.now();
    const answer = gateway.call('waiter', `/logs/${id}`, { headers: { prefer: 'wait=20' } });
    await eventually(
      async () => ((gateway.proxy.stats.forwarded[GET_ITEM] ?? 0) > readsBefore ? true : undefined),
      10_000,
      'the waiting read',
    );

    // Act
    await tag(id);

    // Assert
    const result = await answer;
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ status: 'done', tags: [{ value: 'Django' }] });
    expect(result.headers.get('preference-applied')).toBe('wait=20');
    expect(result.headers.get('retry-after')).toBeNull();
    // The longest pause between two reads is 1 s.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('gives the pending entry back after N seconds, with Retry-After and Preference-Applied', async () => {
    // Arrange
    const id = await createPendingEntry();
    const started = performance.now();

    // Act
    const result = await gateway.call('waiter', `/logs/${id}`, { headers: { prefer: 'wait=1' } });

    // Assert
    expect(result.body).toMatchObject({ status: 'pending' });
    expect(result.headers.get('preference-applied')).toBe('wait=1');
    expect(result.headers.get('retry-after')).toBe('2');
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
  });
});

/** How many of the user's wait slots are held now. */
async function heldSlots(userId: string): Promise<number> {
  const { Item = {} } = await emulators.documents.send(
    new GetCommand({ TableName: emulators.tableName, Key: { pk: ownerPartition(userId), sk: 'WAITS' }, ConsistentRead: true }),
  );
  return Object.entries(Item).filter(([name, until]) => /^s\d+$/.test(name) && Number(until) > Date.now()).length;
}

describe('the cap on open waits per user', () => {
  it(`holds ${MAX_OPEN_WAITS} waits of one user; the next answers at once as if no preference had been sent, and other users still wait`, async () => {
    // Arrange: the user's waits hold every slot
    const id = await createPendingEntry();
    const held = Array.from({ length: MAX_OPEN_WAITS }, () => gateway.call('waiter', `/logs/${id}`, { headers: { prefer: 'wait=20' } }));
    await eventually(async () => ((await heldSlots('waiter')) === MAX_OPEN_WAITS ? true : undefined), 10_000, 'the held waits');
    const othersEntry = await createPendingEntry('bystander');

    // Act
    const started = performance.now();
    const overCap = await gateway.call('waiter', `/logs/${id}`, { headers: { prefer: 'wait=20' } });
    const overCapMs = performance.now() - started;
    const other = await gateway.call('bystander', `/logs/${othersEntry}`, { headers: { prefer: 'wait=1' } });
    await tag(id);
    const answers = await Promise.all(held);

    // Assert
    expect(overCap.status).toBe(200);
    expect(overCap.body).toMatchObject({ id, status: 'pending' });
    expect(overCap.headers.get('preference-applied')).toBeNull();
    expect(overCap.headers.get('retry-after')).toBe('2');
    expect(overCapMs).toBeLessThan(2_000);
    expect(other.headers.get('preference-applied')).toBe('wait=1');
    for (const answer of answers) {
      expect(answer.body).toMatchObject({ status: 'done' });
      expect(answer.headers.get('preference-applied')).toBe('wait=20');
    }
    expect(await heldSlots('waiter')).toBe(0);
  });
});
