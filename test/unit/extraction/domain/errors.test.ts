import { describe, expect, it, vi } from 'vitest';
import {
  isPermanent,
  PermanentError,
  RateLimitCircuitOpenError,
  RetryableError,
} from '../../../../lambdas/tag-extraction/domain/errors.js';

describe('extraction errors', () => {
  it('are recognised when thrown by another copy of the module (the lazily loaded adapter bundle)', async () => {
    vi.resetModules();
    const otherCopy = await import('../../../../lambdas/tag-extraction/domain/errors.js');
    expect(otherCopy.RetryableError).not.toBe(RetryableError);

    const retryable = new otherCopy.RetryableError('429', 3, { rateLimited: true });
    const permanent = new otherCopy.PermanentError('400');

    expect(retryable).toBeInstanceOf(RetryableError);
    expect(retryable).not.toBeInstanceOf(PermanentError);
    expect(isPermanent(permanent)).toBe(true);
    expect(isPermanent(retryable)).toBe(false);
  });

  it('tell a circuit-open error from an ordinary retryable one', () => {
    const open = new RateLimitCircuitOpenError(30);

    expect(open).toBeInstanceOf(RetryableError);
    expect(open).toBeInstanceOf(RateLimitCircuitOpenError);
    expect(new RetryableError('500')).not.toBeInstanceOf(RateLimitCircuitOpenError);
    expect(isPermanent(new Error('unknown'))).toBe(false);
  });
});
