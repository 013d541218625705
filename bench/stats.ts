/*
 * The few statistics the bench needs, written out so every figure it prints has one
 * definition that a test pins down (a library would hide which percentile definition it uses).
 */

/** Summary of a sample of durations or sizes. */
export interface Summary {
  count: number;
  min: number;
  median: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * The p-th percentile by the nearest-rank method: the smallest value with at least p% of the
 * sample at or below it. Nearest rank always returns a value that was measured (no
 * interpolation between two requests), so "p99 of 300 POSTs" is the 297th fastest of them.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of an empty sample');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile ${p} is not in (0, 100]`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1]!;
}

/** The middle value; for an even count, the mean of the two middle values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The arithmetic mean. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error('mean of an empty sample');
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Count, min, median, mean, p50/p90/p99 (nearest rank) and max of a sample. */
export function summarize(values: readonly number[]): Summary {
  return {
    count: values.length,
    min: Math.min(...values),
    median: median(values),
    mean: mean(values),
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: Math.max(...values),
  };
}

/** Rounds to a number of decimals (for JSON output that stays readable). */
export function round(value: number, decimals = 1): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
