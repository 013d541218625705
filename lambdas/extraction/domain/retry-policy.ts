import { isPermanent, RetryableError } from './errors.js';

/** Bounds of the backoff between receives of a failing message. */
export interface BackoffSettings {
  baseSeconds: number;
  maxSeconds: number;
}

/** What to do with a message whose processing failed. */
export type FailureDecision =
  | { action: 'retry'; delaySeconds: number }
  /** Mark the entry failed; the message reaches the DLQ after its remaining receives, at once. */
  | { action: 'give-up'; reason: string };

/**
 * Decides between another try (exponential backoff with jitter, never sooner than the
 * server's `retry-after`) and giving up (a permanent error, or the last receive SQS allows
 * before the DLQ).
 */
export function decideOnFailure(
  error: unknown,
  receiveCount: number,
  maxReceiveCount: number,
  backoff: BackoffSettings,
  random: () => number = Math.random,
): FailureDecision {
  if (isPermanent(error)) return { action: 'give-up', reason: error.message };
  if (receiveCount >= maxReceiveCount) {
    return { action: 'give-up', reason: `gave up after ${receiveCount} attempts: ${describe(error)}` };
  }
  const exponential = Math.min(backoff.maxSeconds, backoff.baseSeconds * 2 ** (receiveCount - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  const retryAfter = error instanceof RetryableError ? (error.retryAfterSeconds ?? 0) : 0;
  return { action: 'retry', delaySeconds: Math.ceil(Math.min(backoff.maxSeconds, Math.max(jittered, retryAfter))) };
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 200 ? `${message.slice(0, 200)}...` : message;
}
