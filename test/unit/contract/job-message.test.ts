import { describe, expect, it } from 'vitest';
import { INVALID_JOB_MESSAGE_BODIES, VALID_JOB_MESSAGE } from '../../../lambdas/contract/fixtures/index.js';
import { JOB_MESSAGE_VERSION, JobMessageSchema, jobMessageFor } from '../../../lambdas/contract/index.js';

describe('job message contract (producer side)', () => {
  it('builds for an entry exactly the message of the v1 fixture', () => {
    // Arrange
    const entry = { id: VALID_JOB_MESSAGE.entryId, ownerId: VALID_JOB_MESSAGE.ownerId, entry: 'ignored', status: 'pending' };

    // Act
    const message = jobMessageFor(entry, new Date(VALID_JOB_MESSAGE.enqueuedAt));

    // Assert
    expect(message).toEqual(VALID_JOB_MESSAGE);
    expect(JSON.parse(JSON.stringify(message))).toEqual(VALID_JOB_MESSAGE);
  });

  it('stamps the current contract version', () => {
    // Act
    const message = jobMessageFor({ id: VALID_JOB_MESSAGE.entryId, ownerId: 'user-b' }, new Date());

    // Assert
    expect(message.version).toBe(JOB_MESSAGE_VERSION);
  });

  it('accepts the valid fixture', () => {
    expect(JobMessageSchema.safeParse(VALID_JOB_MESSAGE).success).toBe(true);
  });

  it.each(Object.entries(INVALID_JOB_MESSAGE_BODIES))('rejects the invalid fixture "%s"', (_name, body) => {
    // Act
    const accepted = (() => {
      try {
        return JobMessageSchema.safeParse(JSON.parse(body)).success;
      } catch {
        return false;
      }
    })();

    // Assert
    expect(accepted).toBe(false);
  });

  it.each([
    ['a bad entry id', { id: '../../etc/passwd', ownerId: 'user-a' }],
    ['an empty owner', { id: VALID_JOB_MESSAGE.entryId, ownerId: '' }],
    ['an overlong owner', { id: VALID_JOB_MESSAGE.entryId, ownerId: 'x'.repeat(257) }],
  ])('refuses to produce a message with %s', (_name, entry) => {
    expect(() => jobMessageFor(entry, new Date())).toThrow();
  });
});
