import { awsCallBudget } from '../contract/index.js';

/** Time kept back at the very end to return the batch response and flush the metrics. */
const RESPONSE_MARGIN_MS = 500;
/**
 * AWS calls that may still run after the model deadline, one after the other: the call in flight
 * when it passes (a read or the tag write), marking the entry failed, and rescheduling the message.
 */
const AWS_CALLS_AFTER_MODEL_DEADLINE = 3;

/** How much of an invocation's remaining time is kept back, for a function of a given timeout. */
export interface DeadlineReserve {
  /** Kept back from the model calls for the bookkeeping after them. */
  bookkeepingMs: number;
  /** Kept back from everything for returning the response. */
  responseMarginMs: number;
}

/** What the extraction keeps back from its remaining time, derived from its SDK clients' budget. */
export function deadlineReserve(functionTimeoutSeconds: number): DeadlineReserve {
  return {
    bookkeepingMs: AWS_CALLS_AFTER_MODEL_DEADLINE * awsCallBudget(functionTimeoutSeconds).worstCaseMs,
    responseMarginMs: RESPONSE_MARGIN_MS,
  };
}

/** The two deadlines of one invocation, as signals. */
export interface InvocationDeadlines {
  /**
   * Aborts every model call still running (its answer body included), early enough that each
   * record can still be rescheduled, or marked failed on its last receive, before the response.
   */
  model: AbortSignal;
  /** Aborts when the handler must return its batch response, whatever is unfinished. */
  response: AbortSignal;
}

/** The deadlines of an invocation that has `remainingMs` left (`context.getRemainingTimeInMillis()`). */
export function invocationDeadlines(remainingMs: number, reserve: DeadlineReserve): InvocationDeadlines {
  const responseInMs = Math.max(0, remainingMs - reserve.responseMarginMs);
  return {
    model: AbortSignal.timeout(Math.max(0, responseInMs - reserve.bookkeepingMs)),
    response: AbortSignal.timeout(responseInMs),
  };
}

/** Resolves when the signal aborts (at once if it has). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
