import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEntryStore } from '../../lambdas/devlog-api/adapters/dynamodb-entry-store.js';
import { entryKey, type JobMessage, JobMessageSchema, PENDING_BUCKET } from '../../lambdas/contract/index.js';
import { startTestEmulators, type TestEmulators } from './support/emulators.js';
import { startTestApi, type TestApi } from './support/gateway.js';

/*
 * The API handler, built by its factory as the local stack builds it, behind the local API
 * Gateway, against the DynamoDB and SQS emulators through the real SDK: what a client of the
 * API sees, and what lands in the table and the queue.
 */

let emulators: TestEmulators;
let gateway: TestApi;

beforeAll(async () => {
  emulators = await startTestEmulators();
  gateway = await startTestApi(emulators);
});

afterAll(async () => {
  await gateway?.stop();
  await emulators?.stop();
});

/** Takes every job message off the queue. */
async function drainJobs() {
  const jobs: JobMessage[] = [];
  for (;;) {
    const { Messages = [] } = await emulators.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: emulators.queues.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return jobs;
    for (const message of Messages) {
      jobs.push(JobMessageSchema.parse(JSON.parse(message.Body ?? '')));
      await emulators.sqs.send(new DeleteMessageCommand({ QueueUrl: emulators.queues.queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

describe('POST /logs', () => {
  it('stores the entry as pending and sends one job in the contract format', async () => {
    await drainJobs();

    const response = await gateway.call('poster', '/logs', { method: 'POST', body: { entry: 'Heute mit Django gebaut.' } });

    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ entry: 'Heute mit Django gebaut.', status: 'pending', tags: [] });
    expect(response.headers.get('location')).toBe(`/logs/${response.body?.id}`);
    const { Item } = await emulators.documents.send(
      new GetCommand({ TableName: emulators.tableName, Key: entryKey('poster', response.body?.id as string), ConsistentRead: true }),
    );
    expect(Item).toMatchObject({ status: 'pending', pendingBucket: PENDING_BUCKET, ownerId: 'poster' });
    expect(await drainJobs()).toEqual([
      expect.objectContaining({ version: 2, entryId: response.body?.id, ownerId: 'poster', revision: 1 }),
    ]);
  });

  it('replays the first answer for the same Idempotency-Key and body, without a second entry or job', async () => {
    await drainJobs();
    const request = { method: 'POST', body: { entry: 'Kafka und Flink' }, headers: { 'idempotency-key': 'replay-1' } };

    const first = await gateway.call('replayer', '/logs', request);
    const second = await gateway.call('replayer', '/logs', request);

    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body?.id).toBe(first.body?.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await gateway.call('replayer', '/logs')).body?.items).toHaveLength(1);
    expect(await drainJobs()).toHaveLength(1);
  });

  it('answers 422 when an Idempotency-Key is reused with another body', async () => {
    const headers = { 'idempotency-key': 'reused-key' };
    await gateway.call('reuser', '/logs', { method: 'POST', body: { entry: 'Redis' }, headers });

    const response = await gateway.call('reuser', '/logs', { method: 'POST', body: { entry: 'Memcached' }, headers });

    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('keeps Idempotency-Keys per user', async () => {
    const headers = { 'idempotency-key': 'shared-key' };

    const alice = await gateway.call('key-alice', '/logs', { method: 'POST', body: { entry: 'Go' }, headers });
    const bob = await gateway.call('key-bob', '/logs', { method: 'POST', body: { entry: 'Rust' }, headers });

    expect(alice.status).toBe(202);
    expect(bob.status).toBe(202);
    expect(bob.body?.id).not.toBe(alice.body?.id);
  });

  it('creates exactly one entry when the same key arrives concurrently (a conditional claim)', async () => {
    const request = { method: 'POST', body: { entry: 'Parallel mit Deno' }, headers: { 'idempotency-key': 'race-key' } };

    const responses = await Promise.all(Array.from({ length: 5 }, () => gateway.call('racer', '/logs', request)));

    const accepted = responses.filter((response) => response.status === 202);
    expect(responses.every((response) => response.status === 202 || response.status === 409)).toBe(true);
    expect(new Set(accepted.map((response) => response.body?.id)).size).toBe(1);
    expect((await gateway.call('racer', '/logs')).body?.items).toHaveLength(1);
  });

  it('rejects a body that is not JSON with 415 and an empty entry with 422', async () => {
    const notJson = await fetch(`${gateway.url}/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await gateway.tokenFor('validator')}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    const empty = await gateway.call('validator', '/logs', { method: 'POST', body: { entry: '   ' } });

    expect(notJson.status).toBe(415);
    expect(empty.status).toBe(422);
  });
});

describe('GET /logs', () => {
  it("pages through all of the caller's entries, newest first, with the cursor", async () => {
    const created: string[] = [];
    for (let index = 0; index < 5; index++) {
      created.push(
        (await gateway.call('pager', '/logs', { method: 'POST', body: { entry: `Eintrag ${index} mit Vue` } })).body?.id as string,
      );
    }

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await gateway.call('pager', `/logs?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body?.items ?? []).map((item) => item.id));
      cursor = page.body?.nextCursor;
      pages++;
    } while (cursor);

    expect(seen).toEqual([...created].reverse());
    expect(pages).toBe(3);
  });

  it('shows an entry to its owner only: another user gets 404 and an empty list', async () => {
    const { body } = await gateway.call('owner-a', '/logs', { method: 'POST', body: { entry: 'Geheim mit Svelte' } });

    const asOwner = await gateway.call('owner-a', `/logs/${body?.id}`);
    const asOther = await gateway.call('owner-b', `/logs/${body?.id}`);
    const otherList = await gateway.call('owner-b', '/logs');

    expect(asOwner.status).toBe(200);
    expect(asOwner.body).not.toHaveProperty('ownerId');
    expect(asOther.status).toBe(404);
    expect(otherList.body?.items).toEqual([]);
  });
});

describe('PATCH /logs/{id}', () => {
  it('stores the new text at the next revision, pending again, and sends a version 2 job for that revision', async () => {
    await drainJobs();
    const { body: created } = await gateway.call('editor', '/logs', { method: 'POST', body: { entry: 'Heute mit Django gebaut.' } });
    await emulators.documents.send(
      new UpdateCommand({
        TableName: emulators.tableName,
        Key: entryKey('editor', created?.id as string),
        UpdateExpression: 'SET #status = :done, tags = :tags, model = :model, promptVersion = :one REMOVE pendingBucket',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'done', ':tags': [{ type: 'tech-stack', value: 'Django' }], ':model': 'm', ':one': 1 },
      }),
    );
    await drainJobs();

    const response = await gateway.call('editor', `/logs/${created?.id}`, { method: 'PATCH', body: { entry: 'Doch lieber mit Rails.' } });

    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/logs/${created?.id}`);
    expect(response.body).toEqual({ ...created, entry: 'Doch lieber mit Rails.', revision: 2, updatedAt: expect.any(String) });
    expect((await gateway.call('editor', `/logs/${created?.id}`)).body).toEqual(response.body);
    const { Item } = await emulators.documents.send(
      new GetCommand({ TableName: emulators.tableName, Key: entryKey('editor', created?.id as string), ConsistentRead: true }),
    );
    expect(Item).toMatchObject({ status: 'pending', revision: 2, pendingBucket: PENDING_BUCKET, tags: [] });
    expect(Item).not.toHaveProperty('model');
    expect(await drainJobs()).toEqual([expect.objectContaining({ version: 2, entryId: created?.id, ownerId: 'editor', revision: 2 })]);
  });

  it("answers 404 for another owner's entry, like a missing one, and changes nothing", async () => {
    const { body: created } = await gateway.call('edit-owner', '/logs', { method: 'POST', body: { entry: 'Mit Svelte.' } });

    const asOther = await gateway.call('edit-other', `/logs/${created?.id}`, { method: 'PATCH', body: { entry: 'Übernommen.' } });
    const missing = await gateway.call('edit-owner', '/logs/01JDQ8Z6X4M1V9T3K7N2P5ZZZZ', { method: 'PATCH', body: { entry: 'Nichts.' } });

    expect(asOther.status).toBe(404);
    expect(missing.status).toBe(404);
    expect((await gateway.call('edit-owner', `/logs/${created?.id}`)).body).toMatchObject({ entry: 'Mit Svelte.', revision: 1 });
  });

  it('lets only one of two edits from the same revision land (a conditional write on the revision)', async () => {
    const store = new DynamoDbEntryStore(emulators.documents, emulators.tableName);
    const { body: created } = await gateway.call('edit-racer', '/logs', { method: 'POST', body: { entry: 'Mit Vue.' } });
    const edit = { ownerId: 'edit-racer', id: created?.id as string, expectedRevision: 1, at: new Date() };

    const outcomes = await Promise.all(['A', 'B'].map((text) => store.replaceText({ ...edit, entry: text })));

    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['replaced', 'revision-changed']);
    const winner = outcomes.find((outcome) => outcome.kind === 'replaced');
    expect(await store.get('edit-racer', edit.id)).toMatchObject({
      entry: winner?.kind === 'replaced' ? winner.entry.entry : '',
      revision: 2,
    });
  });
});

describe('DELETE /logs/{id}', () => {
  it('answers 204, removes the item and its Idempotency-Key, so a replay of the POST creates a new entry; 404 the second time', async () => {
    const request = { method: 'POST', body: { entry: 'Mit Deno.' }, headers: { 'idempotency-key': 'delete-me' } };
    const { body: created } = await gateway.call('deleter', '/logs', request);

    const deleted = await gateway.call('deleter', `/logs/${created?.id}`, { method: 'DELETE' });
    const again = await gateway.call('deleter', `/logs/${created?.id}`, { method: 'DELETE' });
    const replay = await gateway.call('deleter', '/logs', request);

    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect(again.status).toBe(404);
    const { Item } = await emulators.documents.send(
      new GetCommand({ TableName: emulators.tableName, Key: entryKey('deleter', created?.id as string), ConsistentRead: true }),
    );
    expect(Item).toBeUndefined();
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBeNull();
    expect(replay.body?.id).not.toBe(created?.id);
  });

  it('honours If-Match: 412 and the entry kept when it was edited since the ETag was read, 204 with the current ETag', async () => {
    const { body: created } = await gateway.call('if-matcher', '/logs', { method: 'POST', body: { entry: 'Mit Hono.' } });
    const read = await gateway.call('if-matcher', `/logs/${created?.id}`);
    await gateway.call('if-matcher', `/logs/${created?.id}`, { method: 'PATCH', body: { entry: 'Mit Elysia.' } });

    const stale = await gateway.call('if-matcher', `/logs/${created?.id}`, {
      method: 'DELETE',
      headers: { 'if-match': read.headers.get('etag') ?? '' },
    });
    const current = await gateway.call('if-matcher', `/logs/${created?.id}`);
    const deleted = await gateway.call('if-matcher', `/logs/${created?.id}`, {
      method: 'DELETE',
      headers: { 'if-match': current.headers.get('etag') ?? '' },
    });

    expect(read.headers.get('etag')).toBe('"1"');
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toBe('application/problem+json');
    expect(current.headers.get('etag')).toBe('"2"');
    expect(deleted.status).toBe(204);
  });

  it("answers 404 for another owner's entry and keeps it", async () => {
    const { body: created } = await gateway.call('delete-owner', '/logs', { method: 'POST', body: { entry: 'Mit Bun.' } });

    const asOther = await gateway.call('delete-other', `/logs/${created?.id}`, { method: 'DELETE' });

    expect(asOther.status).toBe(404);
    expect((await gateway.call('delete-owner', `/logs/${created?.id}`)).status).toBe(200);
  });
});

describe('entry store', () => {
  it('refuses to overwrite an entry with the same id (conditional put)', async () => {
    const store = new DynamoDbEntryStore(emulators.documents, emulators.tableName);
    const entry = {
      id: '01JDQ8Z6X4M1V9T3K7N2P5R8WA',
      ownerId: 'store-owner',
      entry: 'first',
      status: 'pending' as const,
      tags: [],
      revision: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    await store.create(entry);

    await expect(store.create({ ...entry, entry: 'second' })).resolves.toBe('exists');
    expect((await store.get('store-owner', entry.id))?.entry).toBe('first');
  });
});
