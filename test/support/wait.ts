/** Options of `waitFor`. */
export interface WaitOptions {
  timeoutMs: number;
  /** Pause between checks. */
  intervalMs?: number;
  /** What is awaited, for the timeout message. */
  what: string;
}

/**
 * Polls `check` until it returns something other than undefined, and returns that; throws after
 * the deadline with the last value `describe` gives (or the last error), so a timeout says how
 * far things got. Tests poll with a deadline instead of sleeping.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  options: WaitOptions & { describe?: () => string | Promise<string> },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const state = options.describe ? await options.describe() : lastError ? (lastError as Error).message : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${state ? `: ${state}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/** Runs `task` over `items` with at most `concurrency` at a time; results in input order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
