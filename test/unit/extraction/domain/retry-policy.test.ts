import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../../../lambdas/tag-extraction/domain/errors.js';
import { decideOnFailure } from '../../../../lambdas/tag-extraction/domain/retry-policy.js';

const BACKOFF = { baseSeconds: 10, maxSeconds: 900 };
const MAX_RECEIVES = 5;
const highest = () => 0.999_999;
const lowest = () => 0;

function delayOf(decision: ReturnType<typeof decideOnFailure>): number {
  if (decision.action !== 'retry') throw new Error(`expected a retry, got ${JSON.stringify(decision)}`);
  return decision.delaySeconds;
}

describe('decideOnFailure', () => {
  it('retries a retryable error after the base delay on the first receive', () => {
    // Act
    const decision = decideOnFailure(new RetryableError('429'), 1, MAX_RECEIVES, BACKOFF, highest);

    // Assert
    expect(decision).toEqual({ action: 'retry', delaySeconds: 10 });
  });

  it('doubles the delay with every receive', () => {
    // Act
    const delays = [1, 2, 3, 4].map((receive) =>
      delayOf(decideOnFailure(new RetryableError('503'), receive, MAX_RECEIVES, BACKOFF, highest)),
    );

    // Assert
    expect(delays).toEqual([10, 20, 40, 80]);
  });

  it('never waits longer than the maximum', () => {
    // Act
    const delay = delayOf(decideOnFailure(new RetryableError('503'), 20, 30, BACKOFF, highest));

    // Assert
    expect(delay).toBe(900);
  });

  it('jitters between half and all of the exponential delay', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_RECEIVES - 1 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (receive, random) => {
          // Arrange
          const exponential = Math.min(BACKOFF.maxSeconds, BACKOFF.baseSeconds * 2 ** (receive - 1));

          // Act
          const delay = delayOf(decideOnFailure(new RetryableError('503'), receive, MAX_RECEIVES, BACKOFF, () => random));

          // Assert
          expect(delay).toBeGreaterThanOrEqual(exponential / 2);
          expect(delay).toBeLessThanOrEqual(exponential);
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });

  it('spreads retries with the lowest draw at half the delay', () => {
    // Act
    const delay = delayOf(decideOnFailure(new RetryableError('503'), 3, MAX_RECEIVES, BACKOFF, lowest));

    // Assert
    expect(delay).toBe(20);
  });

  it.each([
    ['waits at least as long as the server asked', 120, 1, lowest, 120],
    ['rounds a fractional retry-after up', 30.2, 1, lowest, 31],
    ['keeps the backoff when the server asks for less', 1, 3, highest, 40],
    ['honours a retry-after longer than the maximum backoff and the function timeout', 3_600, 1, lowest, 3_600],
    ['caps a retry-after beyond what a message can stay invisible at 11 hours', 86_400, 1, lowest, 11 * 3_600],
  ])('%s', (_name, retryAfterSeconds, receive, random, expected) => {
    // Act
    const delay = delayOf(decideOnFailure(new RetryableError('429', retryAfterSeconds), receive, MAX_RECEIVES, BACKOFF, random));

    // Assert
    expect(delay).toBe(expected);
  });

  it('retries unknown errors too, since a transient fault must not lose an entry', () => {
    // Act
    const decision = decideOnFailure(new TypeError('fetch failed'), 1, MAX_RECEIVES, BACKOFF, highest);

    // Assert
    expect(decision).toEqual({ action: 'retry', delaySeconds: 10 });
  });

  it('gives up at once on a permanent error, with its reason code and its message as the detail', () => {
    // Act
    const failure = new PermanentError('OpenAI rejected the request (400)', { reason: 'model-rejected-request' });
    const decision = decideOnFailure(failure, 1, MAX_RECEIVES, BACKOFF);

    // Assert
    expect(decision).toEqual({ action: 'give-up', reason: 'model-rejected-request', detail: 'OpenAI rejected the request (400)' });
  });

  it('gives up on the last receive before the DLQ', () => {
    // Act
    const failure = new RetryableError('OpenAI answered 503', undefined, { reason: 'model-unavailable' });
    const decision = decideOnFailure(failure, MAX_RECEIVES, MAX_RECEIVES, BACKOFF);

    // Assert
    expect(decision).toEqual({ action: 'give-up', reason: 'model-unavailable', detail: 'gave up after 5 attempts: OpenAI answered 503' });
  });

  it('gives up beyond the last receive, too (a redrive keeps counting)', () => {
    // Act
    const decision = decideOnFailure(new RetryableError('503'), MAX_RECEIVES + 3, MAX_RECEIVES, BACKOFF);

    // Assert
    expect(decision.action).toBe('give-up');
  });

  it('keeps the detail short and gives unclassified failures and non-errors the generic reason', () => {
    // Act
    const long = decideOnFailure(new Error('x'.repeat(1_000)), MAX_RECEIVES, MAX_RECEIVES, BACKOFF);
    const thrownString = decideOnFailure('socket hang up', MAX_RECEIVES, MAX_RECEIVES, BACKOFF);

    // Assert
    expect(long.action === 'give-up' && long.detail.length).toBeLessThan(260);
    expect(thrownString).toEqual({ action: 'give-up', reason: 'extraction-failed', detail: 'gave up after 5 attempts: socket hang up' });
  });
});
