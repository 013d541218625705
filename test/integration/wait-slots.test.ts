import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbWaitSlots } from '../../lambdas/devlog-api/adapters/dynamodb-wait-slots.js';
import { startTestEmulators, type TestEmulators } from './support/emulators.js';

/*
 * The per-user wait slots on the DynamoDB emulator, with an injected clock: a crashed holder's
 * lease frees itself at its expiry, and two waits racing for the last slot are forced to read
 * it free before either writes (a barrier on their reads): exactly one gets it.
 */

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
let emulators: TestEmulators;

beforeAll(async () => {
  emulators = await startTestEmulators();
});

afterAll(async () => {
  await emulators?.stop();
});

function slots(max: number, now: () => number, client: DynamoDBDocumentClient = emulators.documents) {
  return new DynamoDbWaitSlots(client, emulators.tableName, { now: () => new Date(now()) }, max);
}

describe('DynamoDbWaitSlots', () => {
  it('holds at most the cap per user, leaves other users alone, and frees a slot on release', async () => {
    // Arrange
    const waits = slots(2, () => T0);
    const until = new Date(T0 + 27_500);
    const held = [await waits.acquire('busy', until), await waits.acquire('busy', until)];

    // Act
    const third = await waits.acquire('busy', until);
    const other = await waits.acquire('bystander', until);
    await held[0]?.release();
    const afterRelease = await waits.acquire('busy', until);

    // Assert
    expect(held.every(Boolean)).toBe(true);
    expect(third).toBeUndefined();
    expect(other).toBeDefined();
    expect(afterRelease).toBeDefined();
  });

  it("frees a crashed holder's slot at its expiry, and that holder's late release does not free the new lease", async () => {
    // Arrange: the only slot is held by an invocation that dies without releasing it
    let now = T0;
    const waits = slots(1, () => now);
    const crashed = await waits.acquire('crasher', new Date(T0 + 27_500));
    const whileHeld = await waits.acquire('crasher', new Date(now + 27_500));

    // Act
    now = T0 + 27_501;
    const afterExpiry = await waits.acquire('crasher', new Date(now + 27_500));
    await crashed?.release();
    const afterLateRelease = await waits.acquire('crasher', new Date(now + 27_500));

    // Assert
    expect(crashed).toBeDefined();
    expect(whileHeld).toBeUndefined();
    expect(afterExpiry).toBeDefined();
    expect(afterLateRelease).toBeUndefined();
  });

  it('gives the last slot to exactly one of two waits that both read it free before either writes', async () => {
    // Arrange: the reads of the slots item are held until both waits have read
    const reads = Promise.withResolvers<void>();
    let readCount = 0;
    const racingClient = {
      send: async (command: unknown) => {
        const answer = await emulators.documents.send(command as GetCommand);
        if (command instanceof GetCommand && readCount < 2) {
          readCount++;
          if (readCount === 2) reads.resolve();
          await reads.promise;
        }
        return answer;
      },
    } as unknown as DynamoDBDocumentClient;
    const waits = slots(1, () => T0, racingClient);

    // Act
    const leases = await Promise.all([waits.acquire('racer', new Date(T0 + 27_500)), waits.acquire('racer', new Date(T0 + 27_500))]);

    // Assert
    expect(leases.filter(Boolean)).toHaveLength(1);
    const { Item } = await emulators.documents.send(
      new GetCommand({ TableName: emulators.tableName, Key: { pk: 'OWNER#racer', sk: 'WAITS' }, ConsistentRead: true }),
    );
    expect(Object.keys(Item ?? {}).filter((name) => /^s\d+$/.test(name))).toEqual(['s0']);
  });
});
