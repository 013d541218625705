import type { EntryView } from './entry.js';
import type { Clock, EntryStore, UseCaseLogger } from './ports.js';
import { getEntry } from './read-entries.js';

/** Pauses for `ms` milliseconds; injected so tests decide when a pause ends. */
export type Sleeper = (ms: number) => Promise<void>;

/**
 * Pauses between reads of a pending entry: short at first (tags usually arrive within a
 * second or two), doubling up to a second, so a 20 s wait costs about 25 reads at most.
 */
export const WAIT_POLL_DELAYS_MS = { first: 100, max: 1_000 } as const;

/** Waits one user may hold open at once unless the stage configures another number. */
export const DEFAULT_MAX_OPEN_WAITS_PER_USER = 5;

/** A slot held by one waiting request; it frees itself at its expiry should the request die. */
export interface WaitLease {
  /** Frees the slot now. */
  release(): Promise<void>;
}

/** At most a fixed number of open waits per user, each a lease that expires. */
export interface WaitSlots {
  /** A slot of the user's until `until`, or undefined when all of them are held. */
  acquire(ownerId: string, until: Date): Promise<WaitLease | undefined>;
}

/** What waiting for an entry needs. */
export interface WaitForEntryDeps {
  entries: EntryStore;
  clock: Clock;
  sleep: Sleeper;
  waitSlots: WaitSlots;
  logger: UseCaseLogger;
}

/** How long a GET may wait, and how long its slot is held should the invocation die (the wait plus its last read). */
export interface WaitBudget {
  waitMs: number;
  leaseMs: number;
}

/** The entry (undefined when it does not exist or is someone else's), and whether the wait preference was honoured. */
export interface WaitOutcome {
  entry: EntryView | undefined;
  preferenceApplied: boolean;
}

/**
 * The caller's entry as soon as it is `done` or `failed`, or as it is after `waitMs` (still
 * `pending`). Each read is the store's strongly consistent read, so a tagging that finished is
 * seen at the next read. A pending entry is waited for only in one of the user's wait slots:
 * when all are held (or cannot be taken), the entry is answered at once as it is, and the
 * preference counts as not applied (RFC 7240 lets a server ignore one).
 */
export async function waitForEntry(deps: WaitForEntryDeps, ownerId: string, id: string, budget: WaitBudget): Promise<WaitOutcome> {
  const first = await getEntry(deps.entries, ownerId, id);
  if (first?.status !== 'pending' || budget.waitMs <= 0) return { entry: first, preferenceApplied: true };
  const startedMs = deps.clock.now().getTime();
  let lease: WaitLease | undefined;
  try {
    lease = await deps.waitSlots.acquire(ownerId, new Date(startedMs + budget.leaseMs));
  } catch (error) {
    deps.logger.warn('could not take a wait slot; answering without waiting', { entryId: id, error });
  }
  if (!lease) return { entry: first, preferenceApplied: false };
  try {
    return { entry: await pollUntilSettled(deps, ownerId, first, startedMs + budget.waitMs), preferenceApplied: true };
  } finally {
    await lease
      .release()
      .catch((error: unknown) => deps.logger.warn('could not free a wait slot; it expires on its own', { entryId: id, error }));
  }
}

async function pollUntilSettled(
  deps: WaitForEntryDeps,
  ownerId: string,
  pending: EntryView,
  untilMs: number,
): Promise<EntryView | undefined> {
  let entry: EntryView | undefined = pending;
  let delayMs: number = WAIT_POLL_DELAYS_MS.first;
  for (;;) {
    const leftMs = untilMs - deps.clock.now().getTime();
    if (leftMs <= 0) return entry;
    await deps.sleep(Math.min(delayMs, leftMs));
    delayMs = Math.min(delayMs * 2, WAIT_POLL_DELAYS_MS.max);
    entry = await getEntry(deps.entries, ownerId, pending.id);
    if (entry?.status !== 'pending') return entry;
  }
}
