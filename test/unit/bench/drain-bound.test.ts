import { describe, expect, it } from 'vitest';
import { describeLimit, drainBound, drainVerdicts, sequentialRate } from '../../../bench/drain.js';

describe('drainBound', () => {
  it('is maxConcurrency x recordConcurrency / latency without a requests-per-minute limit', () => {
    // Act
    const bound = drainBound({ maxConcurrency: 5, recordConcurrency: 10, latencySeconds: 0.5 });

    // Assert
    expect(bound.concurrencyBound).toBe(100);
    expect(bound.rateLimitBound).toBe(Number.POSITIVE_INFINITY);
    expect(bound).toMatchObject({ bound: 100, limitedBy: 'consumer concurrency' });
  });

  it('is the requests-per-minute limit / 60 when that is smaller (OpenAI tier 1: 500 rpm)', () => {
    const bound = drainBound({ maxConcurrency: 5, recordConcurrency: 10, latencySeconds: 0.5, requestsPerMinute: 500 });
    expect(bound.bound).toBeCloseTo(8.333, 3);
    expect(bound.limitedBy).toBe('requests-per-minute limit');
  });

  it('stays at the concurrency bound when the limit is generous', () => {
    const bound = drainBound({ maxConcurrency: 2, recordConcurrency: 1, latencySeconds: 2, requestsPerMinute: 10_000 });
    expect(bound).toMatchObject({ bound: 1, limitedBy: 'consumer concurrency' });
  });

  it('rejects a latency that is not positive', () => {
    expect(() => drainBound({ maxConcurrency: 5, recordConcurrency: 10, latencySeconds: 0 })).toThrow(/positive/);
  });
});

describe('sequentialRate and drainVerdicts', () => {
  it('puts the one-record-at-a-time consumer of the original design at 1 / latency', () => {
    expect(sequentialRate(0.5)).toBe(2);
  });

  it('passes a rate at 10x sequential and 90% of the bound, fails one just below either', () => {
    const bound = drainBound({ maxConcurrency: 5, recordConcurrency: 10, latencySeconds: 0.5 });
    expect(drainVerdicts(90, bound, 2).map((verdict) => verdict.pass)).toEqual([true, true]);
    expect(drainVerdicts(19.9, bound, 2).map((verdict) => verdict.pass)).toEqual([false, false]);
    expect(drainVerdicts(89.9, bound, 2).map((verdict) => verdict.pass)).toEqual([true, false]);
  });
});

describe('the speedup target under a rate limit', () => {
  it('asks for what the limit allows (at 90%), not 10x a 500 rpm account can never reach', () => {
    // Arrange: 500 requests/min = 8.33/s; sequential at 0.5 s = 2/s, so at most 4.2x
    const bound = drainBound({ maxConcurrency: 5, recordConcurrency: 10, latencySeconds: 0.5, requestsPerMinute: 500 });

    // Act
    const [speedup] = drainVerdicts(8.1, bound, 2);

    // Assert
    expect(speedup?.pass).toBe(true);
    expect(speedup?.name).toBe('>= 3.8x sequential (90% of the 4.2x the requests-per-minute limit allows)');
    expect(drainVerdicts(7, bound, 2)[0]?.pass).toBe(false);
  });
});

describe('describeLimit', () => {
  const bound = drainBound({ maxConcurrency: 5, recordConcurrency: 10, latencySeconds: 0.5 });

  it('names a shared record limiter when the model never saw more requests than RECORD_CONCURRENCY', () => {
    const text = describeLimit({
      rate: 13,
      bound,
      peakInFlight: 10,
      allowedInFlight: 50,
      stackCpuCores: 0.4,
      meanBatchMs: 4000,
      latencyMs: 500,
      recordConcurrency: 10,
    });
    expect(text).toMatch(/at most 10 model requests in flight although the settings allow 50/);
    expect(text).toMatch(/RECORD_CONCURRENCY/);
    expect(text).toMatch(/local overhead 269 ms/);
  });

  it('names the requests-per-minute limiter when that is the bound', () => {
    const limited = drainBound({ maxConcurrency: 5, recordConcurrency: 10, latencySeconds: 0.5, requestsPerMinute: 500 });
    const text = describeLimit({
      rate: 8.1,
      bound: limited,
      peakInFlight: 5,
      allowedInFlight: 50,
      stackCpuCores: 0.1,
      meanBatchMs: 3000,
      latencyMs: 500,
      recordConcurrency: 10,
    });
    expect(text).toMatch(/^the requests-per-minute limiter \(one call every 120 ms, 97% of its rate\)/);
  });
});
