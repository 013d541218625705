import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../../lambdas/devlog-api/domain/entry.js';
import { WAIT_POLL_DELAYS_MS, waitForEntry } from '../../../../lambdas/devlog-api/domain/wait-for-entry.js';
import { InMemoryEntryStore, InMemoryWaitSlots, pendingEntry } from '../../support/fake-api-ports.js';

const ID = '01JDQ8Z6X4M1V9T3K7N2P50001';
const START = Date.parse('2026-11-23T10:00:00.000Z');
const logger = { error: () => {}, warn: () => {} };

/** A clock that only moves when a pause ends, by the pause's length, and a record of the pauses. */
function virtualTime() {
  let now = START;
  const pauses: number[] = [];
  return {
    pauses,
    clock: { now: () => new Date(now) },
    sleep: async (ms: number) => {
      pauses.push(ms);
      now += ms;
    },
  };
}

/** An entry store that holds `entry`. */
async function storeWith(entry: Entry): Promise<InMemoryEntryStore> {
  const entries = new InMemoryEntryStore();
  await entries.create(entry);
  return entries;
}

/** Waits for the entry up to `waitMs` (its slot leased as long) with a free wait slot; `sleep` defaults to the virtual time's. */
function waitWithFreeSlot(
  entries: InMemoryEntryStore,
  time: { clock: { now: () => Date }; sleep: (ms: number) => Promise<void> },
  ownerId: string,
  waitMs: number,
) {
  return waitForEntry({ entries, clock: time.clock, sleep: time.sleep, waitSlots: new InMemoryWaitSlots(), logger }, ownerId, ID, {
    waitMs,
    leaseMs: waitMs,
  });
}

describe('waitForEntry', () => {
  it('answers at once, without pausing, when the entry is no longer pending', async () => {
    // Arrange
    const entries = await storeWith({ ...pendingEntry({ id: ID }), status: 'done', tags: [{ type: 'tech-stack', value: 'Django' }] });
    const time = virtualTime();

    // Act
    const { entry } = await waitWithFreeSlot(entries, time, 'user-a', 20_000);

    // Assert
    expect(entry).toMatchObject({ status: 'done' });
    expect(time.pauses).toEqual([]);
  });

  it('answers as soon as the entry is tagged while the wait is held, long before the wait runs out', async () => {
    // Arrange: the waiting read pauses; while it is held, the extraction tags the entry
    const entries = await storeWith(pendingEntry({ id: ID }));
    const paused = Promise.withResolvers<void>();
    const release = Promise.withResolvers<void>();
    let pauses = 0;
    const sleep = async () => {
      pauses++;
      paused.resolve();
      await release.promise;
    };
    const waiting = waitForEntry(
      { entries, clock: { now: () => new Date(START) }, sleep, waitSlots: new InMemoryWaitSlots(), logger },
      'user-a',
      ID,
      { waitMs: 20_000, leaseMs: 20_000 },
    );
    await paused.promise;

    // Act
    entries.entries.set(`user-a/${ID}`, { ...pendingEntry({ id: ID }), status: 'done', tags: [{ type: 'tech-stack', value: 'Django' }] });
    release.resolve();

    // Assert
    expect((await waiting).entry).toMatchObject({ status: 'done', tags: [{ value: 'Django' }] });
    expect(pauses).toBe(1);
  });

  it('answers a failed entry too (with its reason)', async () => {
    // Arrange
    const entries = await storeWith(pendingEntry({ id: ID }));
    const time = virtualTime();
    const sleep = async (ms: number) => {
      await time.sleep(ms);
      entries.entries.set(`user-a/${ID}`, { ...pendingEntry({ id: ID }), status: 'failed', error: 'the model refused' });
    };

    // Act
    const { entry } = await waitWithFreeSlot(entries, { clock: time.clock, sleep }, 'user-a', 5_000);

    // Assert
    expect(entry).toMatchObject({ status: 'failed', error: 'the model refused' });
  });

  it('gives the pending entry back after the wait, polling with a doubling pause up to 1 s that ends exactly at the deadline', async () => {
    // Arrange
    const entries = await storeWith(pendingEntry({ id: ID }));
    const time = virtualTime();

    // Act
    const { entry } = await waitWithFreeSlot(entries, time, 'user-a', 3_000);

    // Assert
    expect(entry).toMatchObject({ status: 'pending' });
    expect(time.pauses).toEqual([WAIT_POLL_DELAYS_MS.first, 200, 400, 800, 1_000, 500]);
    expect(time.pauses.reduce((sum, ms) => sum + ms, 0)).toBe(3_000);
  });

  it('reads once and answers undefined for a missing or foreign entry', async () => {
    // Arrange
    const entries = await storeWith(pendingEntry({ id: ID }));
    const time = virtualTime();

    // Act
    const { entry } = await waitWithFreeSlot(entries, time, 'user-b', 20_000);

    // Assert
    expect(entry).toBeUndefined();
    expect(time.pauses).toEqual([]);
  });

  it("answers a pending entry at once, without pausing, when all of the user's wait slots are held, and says the preference was not applied", async () => {
    // Arrange
    const entries = await storeWith(pendingEntry({ id: ID }));
    const time = virtualTime();
    const waitSlots = new InMemoryWaitSlots(1);
    await waitSlots.acquire('user-a');

    // Act
    const outcome = await waitForEntry({ entries, ...time, waitSlots, logger }, 'user-a', ID, { waitMs: 20_000, leaseMs: 27_500 });

    // Assert
    expect(outcome).toMatchObject({ entry: { status: 'pending' }, preferenceApplied: false });
    expect(time.pauses).toEqual([]);
  });

  it('frees its slot when the wait ends, so the next wait of the user is held again', async () => {
    // Arrange
    const entries = await storeWith(pendingEntry({ id: ID }));
    const time = virtualTime();
    const waitSlots = new InMemoryWaitSlots(1);
    await waitForEntry({ entries, ...time, waitSlots, logger }, 'user-a', ID, { waitMs: 1_000, leaseMs: 1_000 });

    // Act
    const outcome = await waitForEntry({ entries, ...time, waitSlots, logger }, 'user-a', ID, { waitMs: 1_000, leaseMs: 1_000 });

    // Assert
    expect(outcome.preferenceApplied).toBe(true);
    expect(waitSlots.held.get('user-a')).toBe(0);
  });
});
