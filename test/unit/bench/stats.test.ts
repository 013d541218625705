import { describe, expect, it } from 'vitest';
import { mean, median, percentile, summarize } from '../../../bench/stats.js';

describe('percentile (nearest rank)', () => {
  it('returns the 297th fastest of 300 requests as p99', () => {
    // Arrange: 1..300 ms in shuffled order
    const values = Array.from({ length: 300 }, (_, index) => ((index * 7) % 300) + 1);

    // Act + Assert
    expect(percentile(values, 99)).toBe(297);
    expect(percentile(values, 50)).toBe(150);
    expect(percentile(values, 100)).toBe(300);
  });

  it('always returns a measured value, never one interpolated between two', () => {
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 99)).toBe(40);
    expect(percentile([5], 99)).toBe(5);
  });

  it('rejects an empty sample and a percentile outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(/empty/);
    expect(() => percentile([1], 0)).toThrow(/not in/);
    expect(() => percentile([1], 101)).toThrow(/not in/);
  });
});

describe('median and mean', () => {
  it('takes the middle value of an odd sample and the mean of the two middle values of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(mean([1, 2, 3, 6])).toBe(3);
  });

  it("does not reorder the caller's array", () => {
    const values = [3, 1, 2];
    median(values);
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summarize', () => {
  it('reports count, min, max, median, p50, p90 and p99 of a sample', () => {
    const summary = summarize(Array.from({ length: 100 }, (_, index) => index + 1));
    expect(summary).toMatchObject({ count: 100, min: 1, max: 100, median: 50.5, p50: 50, p90: 90, p99: 99, mean: 50.5 });
  });
});
