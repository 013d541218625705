import { afterEach, describe, expect, it, vi } from 'vitest';
import { withRequestRateLimit } from '../../../../lambdas/tag-extraction/adapters/request-rate-limit.js';
import type { TagExtractor } from '../../../../lambdas/tag-extraction/domain/ports.js';

function timedExtractor() {
  const callTimes: number[] = [];
  const extractor: TagExtractor = {
    extract: async () => {
      callTimes.push(performance.now());
      return { tags: [], model: 'm' };
    },
  };
  return { extractor, callTimes };
}

describe('withRequestRateLimit', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('spaces calls evenly at the configured requests per minute', async () => {
    // Fake clocks: on a loaded machine real timers fire late and make the gaps uneven.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { extractor, callTimes } = timedExtractor();
    const limited = withRequestRateLimit(extractor, 1200);

    const calls = Promise.all(Array.from({ length: 5 }, () => limited.extract('text')));
    await vi.runAllTimersAsync();
    await calls;

    const gaps = callTimes.slice(1).map((time, i) => time - callTimes[i]!);
    expect(callTimes).toHaveLength(5);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(45);
  });

  it('adds no delay when no limit is configured', async () => {
    const { extractor, callTimes } = timedExtractor();
    const unlimited = withRequestRateLimit(extractor, undefined);

    await Promise.all(Array.from({ length: 5 }, () => unlimited.extract('text')));

    expect(callTimes.at(-1)! - callTimes[0]!).toBeLessThan(20);
  });
});
