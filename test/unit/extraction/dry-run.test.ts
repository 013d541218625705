import { describe, expect, it } from 'vitest';
import { ACCEPTED_JOB_MESSAGE_VERSIONS } from '../../../lambdas/contract/index.js';
import { INVALID_JOB_MESSAGE_BODIES, JOB_MESSAGE_FIXTURES } from '../../../lambdas/contract/fixtures/index.js';
import { isDryRunEvent } from '../../../lambdas/tag-extraction/dry-run-event.js';
import { runDryRun } from '../../../lambdas/tag-extraction/dry-run.js';
import { sqsEvent, sqsRecord } from '../support/sqs-records.js';

const IDENTITY = { serviceVersion: '1.2.0', functionVersion: '12' };
const TEXT = 'Heute Django und Elasticsearch.';

describe('dry run', () => {
  it('validates the fixture of every accepted version and post-processes its answer against the entry text', () => {
    // Arrange
    const records = ACCEPTED_JOB_MESSAGE_VERSIONS.map((version) => ({
      body: JSON.stringify(JOB_MESSAGE_FIXTURES[version]),
      entryText: TEXT,
      answer: ['django', 'Elasticsearch', 'Kubernetes'],
    }));

    // Act
    const report = runDryRun({ dryRun: true, records }, IDENTITY);

    // Assert
    expect(report).toMatchObject({ dryRun: true, ...IDENTITY, acceptedVersions: ACCEPTED_JOB_MESSAGE_VERSIONS });
    expect(report.results).toEqual(
      ACCEPTED_JOB_MESSAGE_VERSIONS.map((version) => ({
        valid: true,
        version,
        revision: version === 1 ? undefined : JOB_MESSAGE_FIXTURES[2].revision,
        tags: ['Django', 'Elasticsearch'],
        dropped: [{ candidate: 'Kubernetes', reason: 'ungrounded' }],
      })),
    );
  });

  it('rejects each of the contract invalid bodies, saying why', () => {
    // Arrange
    const records = Object.values(INVALID_JOB_MESSAGE_BODIES).map((body) => ({ body, entryText: TEXT, answer: ['Django'] }));

    // Act
    const report = runDryRun({ dryRun: true, records }, IDENTITY);

    // Assert
    expect(report.results).toHaveLength(records.length);
    for (const result of report.results) expect(result).toEqual({ valid: false, error: expect.any(String) });
  });

  it.each([
    ['no records', { dryRun: true, records: [] }],
    ['dryRun not true', { dryRun: 'yes', records: [{ body: '{}', entryText: '', answer: [] }] }],
    ['a record without its answer', { dryRun: true, records: [{ body: '{}', entryText: '' }] }],
  ])('throws on a malformed dry-run event (%s) instead of reporting success', (_name, event) => {
    expect(() => runDryRun(event, IDENTITY)).toThrow(/not a dry-run event/);
  });

  it('recognises any event with a dryRun key, and no SQS batch', () => {
    expect(isDryRunEvent({ dryRun: false })).toBe(true);
    expect(isDryRunEvent(sqsEvent(sqsRecord('{}')))).toBe(false);
    expect(isDryRunEvent(null)).toBe(false);
  });
});
