import { describe, expect, it } from 'vitest';
import { INVALID_JOB_MESSAGE_BODIES, JOB_MESSAGE_FIXTURES } from '../../../lambdas/contract/fixtures/index.js';
import {
  ACCEPTED_JOB_MESSAGE_VERSIONS,
  BASELINE_JOB_MESSAGE_VERSION,
  JOB_MESSAGE_SCHEMAS,
  JobMessageSchema,
  jobMessageFor,
  jobRevision,
  LATEST_JOB_MESSAGE_VERSION,
} from '../../../lambdas/contract/index.js';

const v1 = JOB_MESSAGE_FIXTURES[1];
const v2 = JOB_MESSAGE_FIXTURES[2];

function accepts(body: string): boolean {
  try {
    return JobMessageSchema.safeParse(JSON.parse(body)).success;
  } catch {
    return false;
  }
}

describe('job message contract (producer side)', () => {
  it('builds for an unedited entry exactly the message of the v1 fixture by default', () => {
    // Arrange
    const entry = { id: v1.entryId, ownerId: v1.ownerId, entry: 'ignored', status: 'pending' };

    // Act
    const message = jobMessageFor(entry, new Date(v1.enqueuedAt));

    // Assert
    expect(message).toEqual(v1);
    expect(message.version).toBe(BASELINE_JOB_MESSAGE_VERSION);
  });

  it('builds in version 2 exactly the message of the v2 fixture, revision included', () => {
    // Act
    const message = jobMessageFor({ id: v2.entryId, ownerId: v2.ownerId, revision: 3 }, new Date(v2.enqueuedAt), 2);

    // Assert
    expect(JSON.parse(JSON.stringify(message))).toEqual(v2);
  });

  it('sends revision 1 in version 2 for an entry that has no revision yet', () => {
    // Act
    const message = jobMessageFor({ id: v2.entryId, ownerId: 'user-b' }, new Date(), 2);

    // Assert
    expect(message).toMatchObject({ version: 2, revision: 1 });
  });

  it.each([
    ['a bad entry id', { id: '../../etc/passwd', ownerId: 'user-a' }],
    ['an empty owner', { id: v1.entryId, ownerId: '' }],
    ['an overlong owner', { id: v1.entryId, ownerId: 'x'.repeat(257) }],
    ['revision 0', { id: v1.entryId, ownerId: 'user-a', revision: 0 }],
  ])('refuses to produce a message with %s', (_name, entry) => {
    expect(() => jobMessageFor(entry, new Date(), 2)).toThrow();
  });
});

describe('job message contract (consumer side)', () => {
  it('accepts every published version, and the latest is the newest published', () => {
    expect(ACCEPTED_JOB_MESSAGE_VERSIONS).toEqual(Object.keys(JOB_MESSAGE_SCHEMAS).map(Number));
    expect(LATEST_JOB_MESSAGE_VERSION).toBe(Math.max(...ACCEPTED_JOB_MESSAGE_VERSIONS));
  });

  it.each(ACCEPTED_JOB_MESSAGE_VERSIONS)('accepts the fixture of version %i', (version) => {
    expect(JobMessageSchema.safeParse(JOB_MESSAGE_FIXTURES[version]).success).toBe(true);
  });

  it("reads a v2 job as for its revision and a v1 job as for the entry's current text (no revision)", () => {
    expect(jobRevision(JobMessageSchema.parse(v2))).toBe(3);
    expect(jobRevision(JobMessageSchema.parse(v1))).toBeUndefined();
    expect(jobRevision(JobMessageSchema.parse({ ...v1, revision: 7 }))).toBeUndefined();
  });

  it.each(Object.entries(INVALID_JOB_MESSAGE_BODIES))('rejects the invalid fixture "%s"', (_name, body) => {
    expect(accepts(body)).toBe(false);
  });
});
