/** A failure worth another try later: rate limits, timeouts, server errors, throttling. */
export class RetryableError extends Error {
  constructor(
    message: string,
    /** What the server asked us to wait, when it said (`retry-after`). */
    readonly retryAfterSeconds?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RetryableError';
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
