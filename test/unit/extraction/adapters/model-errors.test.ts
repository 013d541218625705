import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAiTagExtractor } from '../../../../lambdas/tag-extraction/adapters/openai-tag-extractor.js';
import { RetryableError } from '../../../../lambdas/tag-extraction/domain/errors.js';
import { PROMPTS } from '../../../../lambdas/tag-extraction/prompts.js';
import { type ModelServer, startModelServer } from '../../../../tools/tag-extraction/model-server/index.js';

const TEXT = 'Heute habe ich mit Django gearbeitet.';

let server: ModelServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** What the extraction threw against `baseURL`. */
async function failureAgainst(baseURL: string): Promise<Error> {
  const client = new OpenAI({ apiKey: 'sk-test', baseURL, maxRetries: 0, timeout: 5_000 });
  try {
    await new OpenAiTagExtractor(async () => client, 'gpt-4o-mini', PROMPTS[1]!).extract(TEXT);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the extraction to fail');
}

describe('model errors name their cause', () => {
  it('a refused connection: the URL and ECONNREFUSED', async () => {
    // Arrange
    const stopped = await startModelServer();
    const baseURL = stopped.baseUrl;
    await stopped.stop();

    // Act
    const error = await failureAgainst(baseURL);

    // Assert
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toBe(
      `OpenAI unreachable at ${baseURL}: ECONNREFUSED (connection refused: nothing listens at that address and port)`,
    );
  });

  it('a DNS failure: the URL and the resolver error code', async () => {
    // Act
    const error = await failureAgainst('http://devlog-model.invalid/v1');

    // Assert
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toMatch(/^OpenAI unreachable at http:\/\/devlog-model\.invalid\/v1: (ENOTFOUND|EAI_AGAIN) \(DNS lookup failed/);
  });

  it('a non-JSON answer: a hint that the server may not support json_schema', async () => {
    // Arrange
    server = await startModelServer({ answer: () => ({ content: 'Sure! The text mentions Django.' }) });

    // Act
    const error = await failureAgainst(server.baseUrl);

    // Assert
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain('may not support response_format json_schema');
  });
});
