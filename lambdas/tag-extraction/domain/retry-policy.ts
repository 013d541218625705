import type { FailureCode } from '../../contract/index.js';
import { failureCodeOf, isPermanent, RetryableError } from './errors.js';

/** Bounds of the backoff between receives of a failing message. */
export interface BackoffSettings {
  baseSeconds: number;
  maxSeconds: number;
}

/**
 * Longest wait we schedule: SQS keeps a received message invisible for at most 12 hours from
 * its receive, and an hour less leaves room for the invocation that asks.
 */
const LONGEST_WAIT_SECONDS = 11 * 3_600;

/** What to do with a message whose processing failed. */
export type FailureDecision =
  | { action: 'retry'; delaySeconds: number }
  /**
   * Mark the entry failed with `reason` (what its `error` shows); the message reaches the DLQ
   * after its remaining receives, at once. `detail` is for the logs only.
   */
  | { action: 'give-up'; reason: FailureCode; detail: string };

/**
 * Decides between another try (exponential backoff with jitter up to `maxSeconds`, and never
 * sooner than the server's `retry-after`, however long that is, up to what SQS can wait) and
 * giving up (a permanent error, or the last receive SQS allows before the DLQ).
 */
export function decideOnFailure(
  error: unknown,
  receiveCount: number,
  maxReceiveCount: number,
  backoff: BackoffSettings,
  random: () => number = Math.random,
): FailureDecision {
  if (isPermanent(error)) return { action: 'give-up', reason: failureCodeOf(error), detail: error.message };
  if (receiveCount >= maxReceiveCount) {
    return { action: 'give-up', reason: failureCodeOf(error), detail: `gave up after ${receiveCount} attempts: ${describe(error)}` };
  }
  const exponential = Math.min(backoff.maxSeconds, backoff.baseSeconds * 2 ** (receiveCount - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  const retryAfter = error instanceof RetryableError ? (error.retryAfterSeconds ?? 0) : 0;
  const delaySeconds = Math.min(LONGEST_WAIT_SECONDS, Math.max(Math.min(backoff.maxSeconds, jittered), retryAfter));
  return { action: 'retry', delaySeconds: Math.ceil(delaySeconds) };
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 200 ? `${message.slice(0, 200)}...` : message;
}
