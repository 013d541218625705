import type { Clock, UseCaseLogger } from './ports.js';

/** The name of the entries quota in the RateLimit headers. */
export const DAILY_ENTRIES_POLICY = 'daily-entries';
/** The quota's window: one UTC day. */
export const QUOTA_WINDOW_SECONDS = 86_400;
/** Entries a user may create per UTC day unless the stage configures another number. */
export const DEFAULT_DAILY_ENTRY_QUOTA = 1000;

/** Where a user stands in the current window. */
export interface QuotaState {
  /** Entries allowed per window. */
  limit: number;
  /** Entries the user may still create in this window. */
  remaining: number;
  /** Seconds until the window resets (next UTC midnight), at least 1. */
  resetSeconds: number;
}

/** The outcome of taking one entry of the quota. */
export type QuotaDecision = QuotaState & {
  allowed: boolean;
  /** The window the entry was counted in, so a refund gives it back to the same day. */
  windowId: string;
};

/** Where the user stands after a decision, without the decision itself. */
export function quotaState({ allowed: _allowed, windowId: _windowId, ...state }: QuotaDecision): QuotaState {
  return state;
}

/** The window a moment falls in: its id and when the next one starts. */
export interface QuotaWindow {
  /** The UTC day, `YYYY-MM-DD`. */
  id: string;
  endsAt: Date;
}

/** Per-user counters of a window, atomic under concurrent requests. */
export interface QuotaCounter {
  /**
   * Adds one to the user's count in the window if it is below `limit` and returns the new
   * count, or undefined when the limit is reached (nothing is added). `expiresAt` is when the
   * counter may be deleted.
   */
  increment(ownerId: string, window: QuotaWindow, limit: number, expiresAt: Date): Promise<number | undefined>;
  /** The user's count in the window (0 when nothing was counted). */
  read(ownerId: string, window: QuotaWindow): Promise<number>;
  /** Takes one off the user's count in the window `windowId`, never below zero. */
  decrement(ownerId: string, windowId: string): Promise<void>;
}

/** The port the use cases that create entries (POST, PATCH) call. */
export interface EntryQuota {
  /** Counts one entry of the user unless the quota is used up. */
  consume(ownerId: string): Promise<QuotaDecision>;
  /** Where the user stands, without counting (for a replayed answer). */
  peek(ownerId: string): Promise<QuotaState>;
  /** Gives back an entry `consume` allowed, when that entry was surely not stored. */
  refund(ownerId: string, decision: QuotaDecision): Promise<void>;
}

/** The UTC day `at` falls in. */
export function dailyWindow(at: Date): QuotaWindow {
  const day = at.toISOString().slice(0, 10);
  const endsAt = new Date(`${day}T00:00:00.000Z`);
  endsAt.setUTCDate(endsAt.getUTCDate() + 1);
  return { id: day, endsAt };
}

/**
 * At most `limit` entries per user and UTC day. A counter outlives its day by one more day, so
 * DynamoDB's lazy TTL (up to 48 h late) never deletes one that still counts.
 */
export class DailyEntryQuota implements EntryQuota {
  constructor(
    private readonly counter: QuotaCounter,
    private readonly limit: number,
    private readonly clock: Clock,
  ) {}

  async consume(ownerId: string): Promise<QuotaDecision> {
    const now = this.clock.now();
    const window = dailyWindow(now);
    const expiresAt = new Date(window.endsAt.getTime() + QUOTA_WINDOW_SECONDS * 1000);
    const count = await this.counter.increment(ownerId, window, this.limit, expiresAt);
    const state = this.state(now, window, count ?? this.limit);
    return { ...state, allowed: count !== undefined, windowId: window.id };
  }

  async refund(ownerId: string, decision: QuotaDecision): Promise<void> {
    if (decision.allowed) await this.counter.decrement(ownerId, decision.windowId);
  }

  async peek(ownerId: string): Promise<QuotaState> {
    const now = this.clock.now();
    const window = dailyWindow(now);
    return this.state(now, window, await this.counter.read(ownerId, window));
  }

  private state(now: Date, window: QuotaWindow, used: number): QuotaState {
    return {
      limit: this.limit,
      remaining: Math.max(0, this.limit - used),
      resetSeconds: Math.max(1, Math.ceil((window.endsAt.getTime() - now.getTime()) / 1000)),
    };
  }
}

/**
 * Gives back an entry of the quota that was surely not stored. A refund that fails leaves it
 * counted: the user loses one entry of the day, the answer to the request stands.
 */
export async function refundQuietly(quota: EntryQuota, logger: UseCaseLogger, ownerId: string, decision: QuotaDecision): Promise<void> {
  try {
    await quota.refund(ownerId, decision);
  } catch (error) {
    logger.warn('could not give back a quota entry that was not stored', { error });
  }
}
