/**
 * What the extraction service relies on from the jobs queue and its event source mapping.
 * The API stack creates the queue from these numbers, the extraction stack and the local
 * poller consume with them, so the two halves cannot drift apart.
 */
export const QUEUE_SETTINGS = {
  /** Receives before SQS moves a message to the DLQ; the consumer marks the entry `failed` on the last one. */
  maxReceiveCount: 5,
  /** Long enough for six runs of the extraction function (AWS guidance for SQS event sources). */
  visibilityTimeoutSeconds: 360,
  /** Records per invocation of the extraction function. */
  batchSize: 10,
  /** How long the event source mapping may wait to fill a batch. */
  maxBatchingWindowSeconds: 1,
  /** Largest message SQS accepts; our messages are a few hundred bytes. */
  maximumMessageSizeBytes: 262_144,
  /** DLQ retention: the longest SQS allows, so a failed job can be redriven after a long weekend. */
  dlqRetentionDays: 14,
  queueRetentionDays: 4,
} as const;

/** The extraction function's limits, checked against the queue settings at synth time. */
export const CONSUMER_SETTINGS = {
  /** Lambda timeout of the extraction function. */
  functionTimeoutSeconds: 60,
  /** Upper bound of concurrent extraction invocations (SQS event source `maxConcurrency`, min 2). */
  maxConcurrency: 5,
  /** Records of one batch extracted at the same time. */
  recordConcurrency: 10,
  /** Longest backoff the deployed consumer sets between two receives (its RETRY_MAX_SECONDS); the reconciler's grace depends on it. */
  retryMaxSeconds: 900,
} as const;

/**
 * AWS guidance for SQS event sources: the queue's visibility timeout should be at least six
 * times the function timeout, or a message becomes visible again while a retried invocation
 * still holds it. Returns a human-readable violation, or undefined when the rule holds.
 */
export function visibilityTimeoutViolation(visibilityTimeoutSeconds: number, functionTimeoutSeconds: number): string | undefined {
  const required = 6 * functionTimeoutSeconds;
  if (visibilityTimeoutSeconds >= required) return undefined;
  return `queue visibility timeout ${visibilityTimeoutSeconds}s is below 6 x function timeout (${functionTimeoutSeconds}s) = ${required}s`;
}

/** What bounds how long a job may keep its entry pending while it is still being worked on. */
export interface RetrySchedule {
  functionTimeoutSeconds: number;
  visibilityTimeoutSeconds: number;
  /** Longest backoff the consumer sets between two receives (RETRY_MAX_SECONDS). */
  retryMaxSeconds: number;
  maxReceiveCount: number;
}

/**
 * The reconciler's grace: the longest a job can legitimately keep its entry `pending`, so the
 * reconciler never re-sends a job that is still being retried (which would call the model
 * twice). Between two receives a job waits at most the longer of the visibility timeout (an
 * attempt that died without shortening it) and one attempt plus the longest backoff; the last
 * receive then runs for up to one function timeout.
 */
export function reconcileGraceSeconds(schedule: RetrySchedule): number {
  const betweenReceives = Math.max(schedule.visibilityTimeoutSeconds, schedule.functionTimeoutSeconds + schedule.retryMaxSeconds);
  return (schedule.maxReceiveCount - 1) * betweenReceives + schedule.functionTimeoutSeconds;
}

/** The deployed reconciler's grace: reconcileGraceSeconds over the contract's queue and consumer settings. */
export function deployedReconcileGraceSeconds(): number {
  return reconcileGraceSeconds({
    functionTimeoutSeconds: CONSUMER_SETTINGS.functionTimeoutSeconds,
    visibilityTimeoutSeconds: QUEUE_SETTINGS.visibilityTimeoutSeconds,
    retryMaxSeconds: CONSUMER_SETTINGS.retryMaxSeconds,
    maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount,
  });
}
