import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_SORT_PREFIX, ownerPartition } from '../../lambdas/contract/index.js';
import { startTestEmulators, type TestEmulators } from './support/emulators.js';
import { startTestApi, type TestApi } from './support/gateway.js';

/*
 * The daily quota through the real handler, the local API gateway and the DynamoDB emulator:
 * its conditional counter must hold under concurrent POSTs of one user.
 */

const QUOTA = 5;
let emulators: TestEmulators;
let gateway: TestApi;

beforeAll(async () => {
  emulators = await startTestEmulators();
  gateway = await startTestApi(emulators, { DAILY_ENTRY_QUOTA: String(QUOTA) });
});

afterAll(async () => {
  await gateway?.stop();
  await emulators?.stop();
});

/** POSTs `entry` as `userId`. */
function post(userId: string, entry: string, headers: Record<string, string> = {}) {
  return gateway.call(userId, '/logs', { method: 'POST', body: { entry }, headers });
}

async function storedEntries(userId: string): Promise<number> {
  const { Items = [] } = await emulators.documents.send(
    new QueryCommand({
      TableName: emulators.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
      ExpressionAttributeValues: { ':pk': ownerPartition(userId), ':entry': ENTRY_SORT_PREFIX },
      ConsistentRead: true,
    }),
  );
  return Items.length;
}

describe('the daily entries quota', () => {
  it(`lets exactly ${QUOTA} of ${3 * QUOTA} concurrent POSTs of one user through, refuses the rest with 429, and stores ${QUOTA} entries`, async () => {
    // Act
    const answers = await Promise.all(Array.from({ length: 3 * QUOTA }, (_, index) => post('racer', `Entry ${index} mit Django`)));

    // Assert
    const accepted = answers.filter((answer) => answer.status === 202);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(accepted).toHaveLength(QUOTA);
    expect(refused).toHaveLength(2 * QUOTA);
    expect(await storedEntries('racer')).toBe(QUOTA);
    expect(accepted.map((answer) => answer.headers.get('ratelimit')?.match(/r=(\d+)/)?.[1]).sort()).toEqual(['0', '1', '2', '3', '4']);
    for (const answer of refused) {
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(answer.headers.get('ratelimit-policy')).toBe(`"daily-entries";q=${QUOTA};w=86400`);
      expect(answer.headers.get('ratelimit')).toMatch(/^"daily-entries";r=0;t=\d+$/);
    }
  });

  it('leaves other users unaffected', async () => {
    // Act
    const answer = await post('bystander', 'Used Kafka');

    // Assert
    expect(answer.status).toBe(202);
    expect(answer.headers.get('ratelimit')).toMatch(/^"daily-entries";r=4;t=\d+$/);
  });

  it('does not count an Idempotency-Key replay twice and replays it even with the quota used up', async () => {
    // Arrange
    const first = await post('replayer', 'Used Go', { 'idempotency-key': 'k-1' });
    const replay = await post('replayer', 'Used Go', { 'idempotency-key': 'k-1' });
    for (let index = 1; index < QUOTA; index++) await post('replayer', `Used Rust ${index}`);

    // Act
    const refused = await post('replayer', 'One more');
    const lateReplay = await post('replayer', 'Used Go', { 'idempotency-key': 'k-1' });

    // Assert
    expect([first.status, replay.status, refused.status, lateReplay.status]).toEqual([202, 202, 429, 202]);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('ratelimit')).toMatch(/r=4;/);
    expect(lateReplay.body?.id).toBe(first.body?.id);
    expect(await storedEntries('replayer')).toBe(QUOTA);
  });

  it('spends nothing on a PATCH that is refused (404, 412) or changes nothing, one entry on a stored edit, and tags each answer with its revision', async () => {
    // Arrange
    const created = await post('editor', 'Used Go');
    const id = String(created.body?.id);
    const patch = async (target: string, entry: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${gateway.url}/logs/${target}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${await gateway.tokenFor('editor')}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ entry }),
      });
      return { status: response.status, headers: response.headers };
    };

    // Act
    const missing = await patch('01JDQ8Z6X4M1V9T3K7N2P5ZZZZ', 'Used Rust');
    const stale = await patch(id, 'Used Rust', { 'if-match': '"7"' });
    const unchanged = await patch(id, 'Used Go', { 'if-match': '"1"' });
    const edited = await patch(id, 'Used Rust', { 'if-match': '"1"' });

    // Assert
    expect([missing.status, stale.status, unchanged.status, edited.status]).toEqual([404, 412, 200, 202]);
    expect(unchanged.headers.get('etag')).toBe('"1"');
    expect(edited.headers.get('etag')).toBe('"2"');
    expect(created.headers.get('ratelimit')).toMatch(/r=4;/);
    expect(edited.headers.get('ratelimit')).toMatch(/r=3;/);
  });
});
