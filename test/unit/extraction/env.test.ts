import { describe, expect, it } from 'vitest';
import { readExtractionEnv } from '../../../lambdas/tag-extraction/env.js';
import { LATEST_PROMPT_VERSION } from '../../../lambdas/tag-extraction/prompts.js';
import { itFailsAtColdStart } from '../support/cold-start.js';

const REQUIRED = {
  TABLE_NAME: 'entries',
  QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/123456789012/jobs',
  OPENAI_SECRET_ID: 'devlog/openai',
};

describe('readExtractionEnv', () => {
  it('fills in defaults', () => {
    // Act
    const env = readExtractionEnv(REQUIRED);

    // Assert
    expect(env).toMatchObject({
      OPENAI_MODEL: 'gpt-6-luna',
      OPENAI_FALLBACK_MODELS: [],
      OPENAI_REASONING_EFFORT: 'none',
      OPENAI_SERVICE_TIER: 'flex',
      PROMPT_VERSION: LATEST_PROMPT_VERSION,
      OPENAI_TIMEOUT_MS: 15_000,
      RECORD_CONCURRENCY: 10,
      FUNCTION_TIMEOUT_SECONDS: 60,
    });
  });

  it('reads the fallback models as a comma-separated list and the reasoning effort', () => {
    // Act
    const env = readExtractionEnv({ ...REQUIRED, OPENAI_FALLBACK_MODELS: ' gpt-x, ,gpt-y ', OPENAI_REASONING_EFFORT: 'minimal' });

    // Assert
    expect(env).toMatchObject({ OPENAI_FALLBACK_MODELS: ['gpt-x', 'gpt-y'], OPENAI_REASONING_EFFORT: 'minimal' });
  });

  it('reads numbers from their string form', () => {
    // Act
    const env = readExtractionEnv({ ...REQUIRED, OPENAI_TIMEOUT_MS: '5000', RETRY_BASE_SECONDS: '2.5' });

    // Assert
    expect(env).toMatchObject({ OPENAI_TIMEOUT_MS: 5_000, RETRY_BASE_SECONDS: 2.5 });
  });

  itFailsAtColdStart(readExtractionEnv, [
    ['no secret id', { TABLE_NAME: 'entries', QUEUE_URL: REQUIRED.QUEUE_URL }],
    ['an unknown reasoning effort', { ...REQUIRED, OPENAI_REASONING_EFFORT: 'extreme' }],
    ['an unknown prompt version', { ...REQUIRED, PROMPT_VERSION: '99' }],
    ['a function timeout too short for the bookkeeping after the model deadline', { ...REQUIRED, FUNCTION_TIMEOUT_SECONDS: '40' }],
    ['more records at once than a batch holds', { ...REQUIRED, RECORD_CONCURRENCY: '11' }],
    ['a base URL that is not a URL', { ...REQUIRED, OPENAI_BASE_URL: 'localhost' }],
  ]);
});
