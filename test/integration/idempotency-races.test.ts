import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerPartition } from '../../lambdas/contract/index.js';
import { eventually, startTestEmulators, type TestEmulators } from './support/emulators.js';
import { type ProxiedTestApi, startTestApiThroughProxy } from './support/gateway.js';

/*
 * An Idempotency-Key whose entry is deleted while its POST is still in flight, through the real
 * handler, the local API gateway and the emulators. The POST's SendMessage is held by a proxy in
 * front of SQS, so the DELETE lands between the entry's write and the key's completion.
 */

const SEND_MESSAGE = 'AmazonSQS.SendMessage';
let emulators: TestEmulators;
let gateway: ProxiedTestApi;

beforeAll(async () => {
  emulators = await startTestEmulators();
  gateway = await startTestApiThroughProxy(emulators, 'sqs');
});

afterAll(async () => {
  await gateway?.stop();
  await emulators?.stop();
});

async function keyRecord(userId: string, key: string) {
  const { Item } = await emulators.documents.send(
    new GetCommand({ TableName: emulators.tableName, Key: { pk: ownerPartition(userId), sk: `IDEMPOTENCY#${key}` }, ConsistentRead: true }),
  );
  return Item;
}

describe('DELETE while the keyed POST of the entry is in flight', () => {
  it('does not let the POST recreate the forgotten key: a retry with the same key and body is accepted again, not 422', async () => {
    // Arrange: the POST has stored its entry and waits in SendMessage
    let release!: () => void;
    gateway.proxy.failRequests([
      { target: SEND_MESSAGE, action: { kind: 'hold', until: new Promise<void>((resolve) => (release = resolve)) } },
    ]);
    const request = { method: 'POST', body: { entry: 'Heute mit Django und Kafka' }, headers: { 'idempotency-key': 'deleted-in-flight' } };
    const posting = gateway.call('deleter', '/logs', request);
    await eventually(async () => ((gateway.proxy.stats.held[SEND_MESSAGE] ?? 0) > 0 ? true : undefined), 10_000, 'the held SendMessage');
    const entryId = String((await keyRecord('deleter', 'deleted-in-flight'))?.entryId);

    // Act: the entry is deleted, then the POST finishes
    const deleted = await gateway.call('deleter', `/logs/${entryId}`, { method: 'DELETE' });
    gateway.proxy.failRequests([]);
    release();
    const posted = await posting;
    const retried = await gateway.call('deleter', '/logs', request);

    // Assert
    expect(deleted.status).toBe(204);
    expect(posted.status).toBe(202);
    expect(retried.status).toBe(202);
    expect(retried.body?.id).not.toBe(entryId);
    expect(await keyRecord('deleter', 'deleted-in-flight')).toMatchObject({
      entryId: retried.body?.id,
      requestHash: expect.any(String),
      expiresAt: expect.any(Number),
    });
  });
});
