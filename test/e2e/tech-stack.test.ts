import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryKey, jobMessageFor } from '../../lambdas/contract/index.js';
import type { ApiClient, EntryView } from '../support/api-client.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait.js';
import { waitForCounts } from './support/tech-stack.js';

let test: TestStack;

beforeAll(async () => {
  // The offline dictionary model: no OpenAI configuration at all.
  test = await startTestStack({ env: { RECONCILE_GRACE_SECONDS: '300' } });
});

afterAll(async () => {
  await test?.stop();
});

async function postAndWait(client: ApiClient, text: string, headers: Record<string, string> = {}): Promise<EntryView> {
  const posted = await client.post(text, headers);
  expect(posted.status).toBe(202);
  const id = (posted.body as { id: string }).id;
  return waitFor(
    async () => {
      const entry = await client.get(id);
      return entry?.status === 'done' ? entry : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 50, what: `entry ${id} to be tagged` },
  );
}

describe('GET /me/tech-stack through the local stack', () => {
  it('counts each entry once through a retried POST and duplicate jobs, and follows a deletion', async () => {
    const alice = await test.client('alice');
    const bob = await test.client('bob');
    const first = await postAndWait(alice, 'Heute habe ich eine Anwendung mit Django geschrieben, die Daten nach Elasticsearch schreibt.', {
      'idempotency-key': 'entry-1',
    });
    await alice.post('Heute habe ich eine Anwendung mit Django geschrieben, die Daten nach Elasticsearch schreibt.', {
      'idempotency-key': 'entry-1',
    });
    const second = await postAndWait(alice, 'Migrated the Django admin to PostgreSQL.');
    const body = JSON.stringify(jobMessageFor({ id: first.id, ownerId: 'alice' }, new Date()));
    await test.ops.sqsClient.send(
      new SendMessageBatchCommand({
        QueueUrl: test.ops.queueUrl,
        Entries: [0, 1, 2].map((index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    await postAndWait(bob, 'Heute habe ich Daten nach Elasticsearch geschrieben.');

    const profile = await waitForCounts(alice, {
      Django: 2,
      // Ties: the most recently seen first.
      PostgreSQL: 1,
      Elasticsearch: 1,
    });
    expect(profile.items[0]).toEqual({ value: 'Django', count: 2, firstSeen: first.createdAt, lastSeen: second.createdAt });

    await test.ops.documentClient.send(new DeleteCommand({ TableName: test.ops.tableName, Key: entryKey('alice', second.id) }));

    const afterDelete = await waitForCounts(alice, { Django: 1, Elasticsearch: 1 });
    expect(afterDelete.items[0]).toEqual({ value: 'Django', count: 1, firstSeen: first.createdAt, lastSeen: first.createdAt });
    expect((await waitForCounts(bob, { Elasticsearch: 1 })).items).toHaveLength(1);
  });
});
