import { describe, expect, it } from 'vitest';
import { readApiEnv } from '../../../lambdas/api/env.js';

const VALID = { TABLE_NAME: 'entries', TAGS_TABLE_NAME: 'tags', QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/123456789012/jobs' };

describe('readApiEnv', () => {
  it('reads the table and the queue', () => {
    expect(readApiEnv({ ...VALID, UNRELATED: 'x' })).toEqual(VALID);
  });

  it.each([
    ['no table', { QUEUE_URL: VALID.QUEUE_URL }],
    ['an empty table name', { ...VALID, TABLE_NAME: '' }],
    ['a queue name instead of its URL', { ...VALID, QUEUE_URL: 'jobs' }],
  ])('fails at cold start with %s', (_name, env) => {
    expect(() => readApiEnv(env)).toThrow();
  });
});
