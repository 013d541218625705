import { describe, expect, it } from 'vitest';
import { DailyEntryQuota, dailyWindow } from '../../../../lambdas/devlog-api/domain/daily-quota.js';
import { InMemoryQuotaCounter } from '../../support/fake-api-ports.js';

const at = (iso: string) => ({ now: () => new Date(iso) });

describe('dailyWindow', () => {
  it('is the UTC day, ending at the next UTC midnight', () => {
    // Act
    const window = dailyWindow(new Date('2026-12-31T23:59:59.500Z'));

    // Assert
    expect(window).toEqual({ id: '2026-12-31', endsAt: new Date('2027-01-01T00:00:00.000Z') });
  });
});

describe('DailyEntryQuota', () => {
  it('allows `limit` entries a day, counting down what remains, then refuses', async () => {
    // Arrange
    const quota = new DailyEntryQuota(new InMemoryQuotaCounter(), 2, at('2026-11-23T23:00:00.000Z'));

    // Act
    const decisions = [await quota.consume('user-a'), await quota.consume('user-a'), await quota.consume('user-a')];

    // Assert
    expect(decisions).toEqual([
      { allowed: true, limit: 2, remaining: 1, resetSeconds: 3600, windowId: '2026-11-23' },
      { allowed: true, limit: 2, remaining: 0, resetSeconds: 3600, windowId: '2026-11-23' },
      { allowed: false, limit: 2, remaining: 0, resetSeconds: 3600, windowId: '2026-11-23' },
    ]);
  });

  it('counts each user apart', async () => {
    // Arrange
    const quota = new DailyEntryQuota(new InMemoryQuotaCounter(), 1, at('2026-11-23T10:00:00.000Z'));
    await quota.consume('user-a');

    // Act
    const other = await quota.consume('user-b');

    // Assert
    expect(other.allowed).toBe(true);
    expect((await quota.consume('user-a')).allowed).toBe(false);
  });

  it('starts afresh on the next UTC day', async () => {
    // Arrange
    let now = new Date('2026-11-23T23:59:59.000Z');
    const counter = new InMemoryQuotaCounter();
    const quota = new DailyEntryQuota(counter, 1, { now: () => now });
    await quota.consume('user-a');
    const refused = await quota.consume('user-a');

    // Act
    now = new Date('2026-11-24T00:00:00.000Z');
    const nextDay = await quota.consume('user-a');

    // Assert
    expect(refused).toMatchObject({ allowed: false, resetSeconds: 1 });
    expect(nextDay).toEqual({ allowed: true, limit: 1, remaining: 0, resetSeconds: 86_400, windowId: '2026-11-24' });
  });

  it('peeks without counting', async () => {
    // Arrange
    const quota = new DailyEntryQuota(new InMemoryQuotaCounter(), 3, at('2026-11-23T12:00:00.000Z'));
    await quota.consume('user-a');

    // Act
    const first = await quota.peek('user-a');
    const second = await quota.peek('user-a');

    // Assert
    expect(first).toEqual({ limit: 3, remaining: 2, resetSeconds: 43_200 });
    expect(second).toEqual(first);
  });

  it('gives a refunded entry back to the day it was counted in, and refunds nothing it refused', async () => {
    // Arrange
    const counter = new InMemoryQuotaCounter();
    const quota = new DailyEntryQuota(counter, 1, at('2026-11-23T12:00:00.000Z'));
    const allowed = await quota.consume('user-a');
    const refused = await quota.consume('user-a');

    // Act
    await quota.refund('user-a', refused);
    const afterRefusal = await quota.peek('user-a');
    await quota.refund('user-a', allowed);

    // Assert
    expect(afterRefusal.remaining).toBe(0);
    expect(await quota.peek('user-a')).toMatchObject({ remaining: 1 });
  });
});
