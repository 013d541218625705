/*
 * The OpenAI adapter is bundled into its own lazily loaded file, which carries its own copy of
 * these classes. So errors carry their kind under a registered symbol and `instanceof` checks
 * that kind, not the prototype: an error thrown by either copy is recognised by both.
 */
import { FAILURE_REASONS, type FailureCode } from '../../contract/index.js';

const ERROR_KIND = Symbol.for('devlog-tags.extraction-error-kind');
type ErrorKind = 'retryable' | 'permanent';

function brand(error: Error, kind: ErrorKind): void {
  Object.defineProperty(error, ERROR_KIND, { value: kind, enumerable: false });
}

function hasKind(value: unknown, kind: ErrorKind): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ERROR_KIND] === kind;
}

/** A failure worth another try later: rate limits, timeouts, server errors, throttling. */
export class RetryableError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasKind(value, 'retryable');
  }

  /** The model's server said we are over our rate limit (HTTP 429). */
  readonly rateLimited: boolean;
  /** The reason an entry shows if this failure is the last one. */
  readonly reason: FailureCode;

  constructor(
    message: string,
    /** What the server asked us to wait, when it said (`retry-after`). */
    readonly retryAfterSeconds?: number,
    options?: ErrorOptions & { rateLimited?: boolean; reason?: FailureCode },
  ) {
    super(message, options);
    this.name = 'RetryableError';
    this.rateLimited = options?.rateLimited ?? false;
    this.reason = options?.reason ?? 'extraction-failed';
    brand(this, 'retryable');
  }
}

/**
 * The model was not called because recent calls were rate limited: the job should wait
 * without spending one of its receives.
 */
export class RateLimitCircuitOpenError extends RetryableError {
  /** Only ever thrown in the main bundle, so the ordinary prototype check is right here. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the right-hand side of `instanceof`, which a subclass would change.
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  constructor(retryAfterSeconds: number) {
    super(`rate-limit circuit open for ${Math.ceil(retryAfterSeconds)} s`, retryAfterSeconds, { reason: 'model-rate-limited' });
    this.name = 'RateLimitCircuitOpenError';
  }
}

/** A failure that another try cannot fix: an invalid message, a request the model rejects. */
export class PermanentError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasKind(value, 'permanent');
  }

  /** The reason the entry shows. */
  readonly reason: FailureCode;

  constructor(message: string, options?: ErrorOptions & { reason?: FailureCode }) {
    super(message, options);
    this.name = 'PermanentError';
    this.reason = options?.reason ?? 'extraction-failed';
    brand(this, 'permanent');
  }
}

/* Subclasses are told apart by a second registered mark, for the same reason as the kind. */
const ERROR_CAUSE = Symbol.for('devlog-tags.extraction-error-cause');
type ErrorCause = 'answer-truncated' | 'deadline-exceeded' | 'entry-already-failed';

function markCause(error: Error, cause: ErrorCause): void {
  Object.defineProperty(error, ERROR_CAUSE, { value: cause, enumerable: false });
}

function hasCause(value: unknown, kind: ErrorKind, cause: ErrorCause): boolean {
  return hasKind(value, kind) && (value as Record<symbol, unknown>)[ERROR_CAUSE] === cause;
}

/**
 * The model's answer was cut off at the output-token cap (`finish_reason: length`). Permanent:
 * the same request would be cut off again, so it is not retried unchanged.
 */
export class AnswerTruncatedError extends PermanentError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCause(value, 'permanent', 'answer-truncated');
  }

  constructor(maxOutputTokens: number, options?: ErrorOptions) {
    super(`answer truncated at the output-token cap (${maxOutputTokens} tokens)`, { ...options, reason: 'answer-truncated' });
    this.name = 'AnswerTruncatedError';
    markCause(this, 'answer-truncated');
  }
}

/**
 * The entry was marked failed by an earlier receive: its message only passes through on its way
 * to the DLQ, and is neither counted nor logged as a failure again.
 */
export class EntryAlreadyFailedError extends PermanentError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCause(value, 'permanent', 'entry-already-failed');
  }

  constructor() {
    super('entry is marked failed; redrive resets it to pending');
    this.name = 'EntryAlreadyFailedError';
    markCause(this, 'entry-already-failed');
  }
}

/** The record's deadline passed before the model answered: retried later with a fresh deadline. */
export class DeadlineExceededError extends RetryableError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCause(value, 'retryable', 'deadline-exceeded');
  }

  constructor(message = 'the model did not answer before the record deadline', options?: ErrorOptions) {
    super(message, undefined, { ...options, reason: 'model-timeout' });
    this.name = 'DeadlineExceededError';
    markCause(this, 'deadline-exceeded');
  }
}

/** Anything not known to be permanent is retried: a transient fault must never lose an entry. */
export function isPermanent(error: unknown): error is PermanentError {
  return error instanceof PermanentError;
}

/**
 * The stable reason code an entry shows for a failure: the one the error was classified with,
 * `extraction-failed` for anything unclassified (a bug, a DynamoDB fault).
 */
export function failureCodeOf(error: unknown): FailureCode {
  const reason = (error as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' && Object.hasOwn(FAILURE_REASONS, reason) ? (reason as FailureCode) : 'extraction-failed';
}
