import type { EntryView } from './entry.js';
import type { Clock, EntryStore } from './ports.js';
import { getEntry } from './read-entries.js';

/** Pauses for `ms` milliseconds; injected so tests decide when a pause ends. */
export type Sleeper = (ms: number) => Promise<void>;

/**
 * Pauses between reads of a pending entry: short at first (tags usually arrive within a
 * second or two), doubling up to a second, so a 20 s wait costs about 25 reads at most.
 */
export const WAIT_POLL_DELAYS_MS = { first: 100, max: 1_000 } as const;

/** What waiting for an entry needs. */
export interface WaitForEntryDeps {
  entries: EntryStore;
  clock: Clock;
  sleep: Sleeper;
}

/**
 * The caller's entry as soon as it is `done` or `failed`, or as it is after `waitMs` (still
 * `pending`); undefined when it does not exist (or is someone else's). Each read is the store's
 * strongly consistent read, so a tagging that finished is seen at the next read.
 */
export async function waitForEntry(
  deps: WaitForEntryDeps,
  ownerId: string,
  id: string,
  waitMs: number,
): Promise<EntryView | undefined> {
  const until = deps.clock.now().getTime() + waitMs;
  let delayMs: number = WAIT_POLL_DELAYS_MS.first;
  for (;;) {
    const entry = await getEntry(deps.entries, ownerId, id);
    if (entry?.status !== 'pending') return entry;
    const leftMs = until - deps.clock.now().getTime();
    if (leftMs <= 0) return entry;
    await deps.sleep(Math.min(delayMs, leftMs));
    delayMs = Math.min(delayMs * 2, WAIT_POLL_DELAYS_MS.max);
  }
}
