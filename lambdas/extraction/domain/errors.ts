/** A failure worth another try later: rate limits, timeouts, server errors, throttling. */
export class RetryableError extends Error {
  constructor(
    message: string,
    /** What the server asked us to wait, when it said (`retry-after`). */
    readonly retryAfterSeconds?: number,
    options?: ErrorOptions & { rateLimited?: boolean },
  ) {
    super(message, options);
    this.name = 'RetryableError';
    this.rateLimited = options?.rateLimited ?? false;
  }

  /** The model's server said we are over our rate limit (HTTP 429). */
  readonly rateLimited: boolean;
}

/**
 * The model was not called because recent calls were rate limited: the job should wait
 * without spending one of its receives.
 */
export class RateLimitCircuitOpenError extends RetryableError {
  constructor(retryAfterSeconds: number) {
    super(`rate-limit circuit open for ${Math.ceil(retryAfterSeconds)} s`, retryAfterSeconds);
    this.name = 'RateLimitCircuitOpenError';
  }
}

/** A failure that another try cannot fix: an invalid message, a request the model rejects. */
export class PermanentError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** Anything not known to be permanent is retried: a transient fault must never lose an entry. */
export function isPermanent(error: unknown): error is PermanentError {
  return error instanceof PermanentError;
}
