import { describe, expect, it } from 'vitest';
import { estimateCostUsd, OFFLINE_MODEL, offlineExtractor, openAiSettingsFromEnv } from '../../../eval/extractors.js';

describe('offlineExtractor', () => {
  it('answers from the offline model without tokens', async () => {
    // Act
    const raw = await offlineExtractor().extract('Wrote a FastAPI service that writes to Kafka.');

    // Assert
    expect(raw).toEqual({ tags: ['FastAPI', 'Kafka'], model: OFFLINE_MODEL, usage: { inputTokens: 0, outputTokens: 0 } });
  });
});

describe('openAiSettingsFromEnv', () => {
  it('is not configured without an API key', () => {
    expect(openAiSettingsFromEnv({ OPENAI_MODEL: 'gpt-4o' })).toEqual({ missing: 'OPENAI_API_KEY is not set' });
  });

  it("defaults to the Lambda's model and the latest prompt, and takes a base URL", () => {
    // Act
    const settings = openAiSettingsFromEnv({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });

    // Assert
    expect(settings).toMatchObject({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', model: 'gpt-6-luna', promptVersion: 1 });
  });

  it('rejects a prompt version that does not exist', () => {
    expect(openAiSettingsFromEnv({ OPENAI_API_KEY: 'sk-test' }, 99)).toEqual({ missing: 'prompt version 99 does not exist' });
  });
});

describe('estimateCostUsd', () => {
  it('prices a known model per million tokens', () => {
    expect(estimateCostUsd('gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 100_000 })).toBeCloseTo(0.15 + 0.06);
  });

  it('prices a dated model name like its base model, not a shorter prefix', () => {
    expect(estimateCostUsd('gpt-4o-mini-2024-07-18', { inputTokens: 1_000_000, outputTokens: 0 })).toBeCloseTo(0.15);
    expect(estimateCostUsd('gpt-4o-2024-08-06', { inputTokens: 1_000_000, outputTokens: 0 })).toBeCloseTo(2.5);
  });

  it('does not guess a price for an unknown model', () => {
    expect(estimateCostUsd('llama3:8b', { inputTokens: 10, outputTokens: 10 })).toBeUndefined();
  });

  it('takes prices from the environment when both are set', () => {
    const env = { EVAL_INPUT_USD_PER_MTOK: '1', EVAL_OUTPUT_USD_PER_MTOK: '2' };
    expect(estimateCostUsd('llama3:8b', { inputTokens: 500_000, outputTokens: 500_000 }, env)).toBeCloseTo(1.5);
  });

  it('costs nothing offline', () => {
    expect(estimateCostUsd(OFFLINE_MODEL, { inputTokens: 0, outputTokens: 0 })).toBe(0);
  });
});
