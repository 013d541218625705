import { describe, expect, it } from 'vitest';
import { ACCEPTED_JOB_MESSAGE_VERSIONS, jobMessageFor } from '../../../lambdas/contract/index.js';
import { INVALID_JOB_MESSAGE_BODIES, JOB_MESSAGE_FIXTURES, VALID_JOB_MESSAGE } from '../../../lambdas/contract/fixtures/index.js';
import { parseJobRecord } from '../../../lambdas/tag-extraction/job-record.js';
import { sqsRecord } from '../support/sqs-records.js';

describe('parseJobRecord (consumer side of the contract)', () => {
  it.each(ACCEPTED_JOB_MESSAGE_VERSIONS)('accepts the fixture of version %i and reads the delivery attributes', (version) => {
    // Arrange
    const fixture = JOB_MESSAGE_FIXTURES[version];
    const record = sqsRecord(JSON.stringify(fixture), { messageId: 'm-7', receiveCount: 3 });

    // Act
    const parsed = parseJobRecord(record);

    // Assert
    expect(parsed).toEqual({
      job: fixture,
      revision: 'revision' in fixture ? fixture.revision : undefined,
      receiveCount: 3,
      receiptHandle: 'receipt-m-7',
      messageId: 'm-7',
    });
  });

  it.each(ACCEPTED_JOB_MESSAGE_VERSIONS)('accepts what the producer sends in version %i', (version) => {
    // Arrange
    const entry = { id: '01JDQ8Z6X4M1V9T3K7N2P5R8WB', ownerId: 'user-b', revision: 2 };
    const message = jobMessageFor(entry, new Date('2026-11-24T08:00:00Z'), version);

    // Act
    const parsed = parseJobRecord(sqsRecord(JSON.stringify(message)));

    // Assert
    expect(parsed?.job).toEqual(message);
    expect(parsed?.revision).toBe(version === 1 ? undefined : 2);
  });

  it('ignores fields a newer producer may add', () => {
    // Arrange
    const record = sqsRecord(JSON.stringify({ ...VALID_JOB_MESSAGE, traceId: 'abc' }));

    // Act
    const parsed = parseJobRecord(record);

    // Assert
    expect(parsed?.job.entryId).toBe(VALID_JOB_MESSAGE.entryId);
  });

  it.each(Object.entries(INVALID_JOB_MESSAGE_BODIES))('rejects the invalid fixture "%s"', (_name, body) => {
    // Act
    const parsed = parseJobRecord(sqsRecord(body));

    // Assert
    expect(parsed).toBeUndefined();
  });

  it.each([
    ['an empty body', ''],
    ['JSON null', 'null'],
    ['a JSON string', '"01JDQ8Z6X4M1V9T3K7N2P5R8WA"'],
  ])('rejects %s', (_name, body) => {
    expect(parseJobRecord(sqsRecord(body))).toBeUndefined();
  });
});
