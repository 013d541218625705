import { describe, expect, it } from 'vitest';
import { readApiEnv } from '../../../lambdas/devlog-api/api/env.js';
import { itFailsAtColdStart } from '../support/cold-start.js';

const VALID = { TABLE_NAME: 'entries', TAGS_TABLE_NAME: 'tags', QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/123456789012/jobs' };

describe('readApiEnv', () => {
  it('reads the table and the queue', () => {
    expect(readApiEnv({ ...VALID, UNRELATED: 'x' })).toEqual({ ...VALID, DAILY_ENTRY_QUOTA: 1000, MAX_OPEN_WAITS_PER_USER: 5 });
  });

  it('reads the daily entries quota, 1000 by default', () => {
    expect(readApiEnv({ ...VALID, DAILY_ENTRY_QUOTA: '25' }).DAILY_ENTRY_QUOTA).toBe(25);
  });

  itFailsAtColdStart(readApiEnv, [
    ['no table', { QUEUE_URL: VALID.QUEUE_URL }],
    ['an empty table name', { ...VALID, TABLE_NAME: '' }],
    ['a queue name instead of its URL', { ...VALID, QUEUE_URL: 'jobs' }],
    ['a quota of zero', { ...VALID, DAILY_ENTRY_QUOTA: '0' }],
    ['a fractional quota', { ...VALID, DAILY_ENTRY_QUOTA: '2.5' }],
  ]);
});
