import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { isModelGone, withModelFallback } from '../../../../lambdas/tag-extraction/adapters/model-fallback.js';
import { ModelParameters } from '../../../../lambdas/tag-extraction/adapters/model-parameters.js';
import { OpenAiTagExtractor } from '../../../../lambdas/tag-extraction/adapters/openai-tag-extractor.js';
import { PermanentError, RetryableError } from '../../../../lambdas/tag-extraction/domain/errors.js';
import { PROMPTS } from '../../../../lambdas/tag-extraction/prompts.js';
import { type ModelServer, type ModelServerOptions, startModelServer } from '../../../../tools/tag-extraction/model-server/index.js';

const PROMPT = PROMPTS[1]!;
const TEXT = 'Heute habe ich mit Django gearbeitet.';

let server: ModelServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** The configured model and its fallbacks, each an OpenAiTagExtractor against the model server. */
async function fallbackChain(models: string[], options: ModelServerOptions) {
  server = await startModelServer({ answer: ({ model }) => ({ technologies: ['Django'], model: `${model}-2026-10-01` }), ...options });
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseUrl, maxRetries: 0, timeout: 2_000 });
  const parameters = new ModelParameters('low');
  const fallbacks: { from: string; to: string; reason: string }[] = [];
  const extractor = withModelFallback(
    models,
    (model) => new OpenAiTagExtractor(async () => client, model, PROMPT, parameters),
    (event) => fallbacks.push(event),
  );
  return { server, extractor, fallbacks };
}

describe('withModelFallback', () => {
  it('moves past a 404 model_not_found and a 410 to the next model, tells each fallback, and records who answered', async () => {
    // Arrange
    const { server, extractor, fallbacks } = await fallbackChain(['gpt-old', 'gpt-older', 'gpt-new'], {
      models: { 'gpt-old': { gone: 404 }, 'gpt-older': { gone: 410 } },
    });

    // Act
    const result = await extractor.extract(TEXT);

    // Assert
    expect(result).toMatchObject({ tags: ['Django'], model: 'gpt-new-2026-10-01' });
    expect(fallbacks.map(({ from, to }) => `${from}->${to}`)).toEqual(['gpt-old->gpt-older', 'gpt-older->gpt-new']);
    expect(fallbacks[1]!.reason).toContain('deprecated');
    expect(server.requests.map((request) => request.model)).toEqual(['gpt-old', 'gpt-older', 'gpt-new']);
  });

  it('never asks a gone model again in the same container', async () => {
    // Arrange
    const { server, extractor, fallbacks } = await fallbackChain(['gpt-old', 'gpt-new'], { models: { 'gpt-old': { gone: 404 } } });
    await extractor.extract(TEXT);

    // Act
    await extractor.extract(TEXT);
    await extractor.extract(TEXT);

    // Assert
    expect(server.requests.map((request) => request.model)).toEqual(['gpt-old', 'gpt-new', 'gpt-new', 'gpt-new']);
    expect(fallbacks).toHaveLength(1);
  });

  it('fails permanently, naming every model, when all of them are gone', async () => {
    // Arrange
    const { extractor } = await fallbackChain(['gpt-old', 'gpt-older'], {
      models: { 'gpt-old': { gone: 404 }, 'gpt-older': { gone: 410 } },
    });

    // Act
    const attempt = extractor.extract(TEXT);

    // Assert
    await expect(attempt).rejects.toBeInstanceOf(PermanentError);
    await expect(attempt).rejects.toThrow(/every configured model is gone: gpt-old .*; gpt-older/);
  });

  it('does not fall back on other errors: a 500 stays a retryable error of the configured model', async () => {
    // Arrange
    const { server, extractor, fallbacks } = await fallbackChain(['gpt-main', 'gpt-new'], {});
    server.answer = () => ({ status: 500, error: { message: 'boom', type: 'server_error' } });

    // Act
    const attempt = extractor.extract(TEXT);

    // Assert
    await expect(attempt).rejects.toBeInstanceOf(RetryableError);
    expect(fallbacks).toEqual([]);
    expect(server.requests.map((request) => request.model)).toEqual(['gpt-main']);
  });
});

describe('isModelGone', () => {
  it.each([
    ['404 model_not_found', { status: 404, code: 'model_not_found', message: 'x' }, true],
    ['410', { status: 410, code: null, message: 'gone' }, true],
    ['a "deprecated" message', { status: 404, code: null, message: 'The model `x` has been deprecated' }, true],
    ['a 404 for another reason', { status: 404, code: 'unknown_url', message: 'no such route' }, false],
    ['a 500', { status: 500, code: null, message: 'deprecated' }, false],
  ])('%s: %s', (_name, error, expected) => {
    expect(isModelGone(new PermanentError('classified', { cause: error }))).toBe(expected);
  });
});
