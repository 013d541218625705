import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelParameters } from '../../../../lambdas/tag-extraction/adapters/model-parameters.js';
import { OpenAiTagExtractor } from '../../../../lambdas/tag-extraction/adapters/openai-tag-extractor.js';
import { PROMPTS } from '../../../../lambdas/tag-extraction/prompts.js';
import { type ModelServer, type ModelSpec, startModelServer } from '../../../../tools/tag-extraction/model-server/index.js';

const TEXT = 'Heute habe ich mit Django gearbeitet.';

let server: ModelServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** An extractor for `model` against a model server whose catalog has it as `spec`. */
async function extractorFor(model: string, spec: ModelSpec, parameters = new ModelParameters('low')) {
  server = await startModelServer({ models: { [model]: spec }, answer: () => ({ technologies: ['Django'] }) });
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseUrl, maxRetries: 0, timeout: 2_000 });
  return { server, extractor: new OpenAiTagExtractor(async () => client, model, PROMPTS[1]!, parameters) };
}

describe('the OpenAI adapter with reasoning and non-reasoning models', () => {
  it('sends a reasoning model no temperature and a low reasoning_effort, and records the snapshot that answered', async () => {
    // Arrange
    const { server, extractor } = await extractorFor('gpt-6-luna', { reasoning: true, answersAs: 'gpt-6-luna-2026-09-22' });

    // Act
    const result = await extractor.extract(TEXT);

    // Assert
    expect(result).toMatchObject({ tags: ['Django'], model: 'gpt-6-luna-2026-09-22' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.body).not.toHaveProperty('temperature');
    expect(server.requests[0]!.body).not.toHaveProperty('max_tokens');
    expect(server.requests[0]!.body.reasoning_effort).toBe('low');
  });

  it('takes the configured reasoning effort', async () => {
    // Arrange
    const { server, extractor } = await extractorFor('o4-mini', { reasoning: true }, new ModelParameters('minimal'));

    // Act
    await extractor.extract(TEXT);

    // Assert
    expect(server.requests[0]!.body.reasoning_effort).toBe('minimal');
  });

  it('sends a non-reasoning model temperature 0 and no reasoning_effort', async () => {
    // Arrange
    const { server, extractor } = await extractorFor('gpt-4o-mini', {});

    // Act
    await extractor.extract(TEXT);

    // Assert
    expect(server.requests[0]!.body.temperature).toBe(0);
    expect(server.requests[0]!.body).not.toHaveProperty('reasoning_effort');
  });

  it('asks again without temperature when a model rejects it (400 unsupported_value), and remembers it', async () => {
    // Arrange: a deployment name that hides a reasoning model
    const { server, extractor } = await extractorFor('our-azure-deployment', { reasoning: true });

    // Act
    const first = await extractor.extract(TEXT);
    await extractor.extract(TEXT);

    // Assert
    expect(first.tags).toEqual(['Django']);
    expect(server.requests.map((request) => request.body.temperature)).toEqual([0, undefined, undefined]);
    expect(server.statuses[400]).toBe(1);
  });
});
