import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelParameters } from '../../../../lambdas/tag-extraction/adapters/model-parameters.js';
import { OpenAiTagExtractor } from '../../../../lambdas/tag-extraction/adapters/openai-tag-extractor.js';
import { RetryableError } from '../../../../lambdas/tag-extraction/domain/errors.js';
import type { ServiceTier } from '../../../../lambdas/tag-extraction/model-settings.js';
import { PROMPTS } from '../../../../lambdas/tag-extraction/prompts.js';
import {
  type Answer,
  flexUnavailable,
  type ModelServer,
  rateLimited,
  startModelServer,
} from '../../../../tools/tag-extraction/model-server/index.js';

const TEXT = 'Heute habe ich mit Django gearbeitet.';

let server: ModelServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function extractorOn(tier: ServiceTier, answer: Answer) {
  server = await startModelServer({ models: { 'gpt-6-luna': { reasoning: true } }, answer });
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseUrl, maxRetries: 0, timeout: 2_000 });
  return { server, extractor: new OpenAiTagExtractor(async () => client, 'gpt-6-luna', PROMPTS[1]!, new ModelParameters('none'), tier) };
}

describe("the extraction's service tier", () => {
  it('asks for flex and is billed at flex when flex has capacity', async () => {
    // Arrange
    const { server, extractor } = await extractorOn('flex', () => ({ technologies: ['Django'] }));

    // Act
    const result = await extractor.extract(TEXT);

    // Assert
    expect(result.tags).toEqual(['Django']);
    expect(server.requests.map((request) => request.body.service_tier)).toEqual(['flex']);
    expect(server.usage().byServiceTier).toHaveProperty('flex');
    expect(server.usage().byServiceTier).not.toHaveProperty('default');
  });

  it('asks the standard tier at once when flex answers 429 Resource Unavailable, so the entry is tagged without a queue retry', async () => {
    // Arrange
    const { server, extractor } = await extractorOn('flex', ({ body }) =>
      body.service_tier === 'flex' ? flexUnavailable() : { technologies: ['Django'] },
    );

    // Act
    const result = await extractor.extract(TEXT);

    // Assert
    expect(result.tags).toEqual(['Django']);
    expect(server.requests.map((request) => request.body.service_tier)).toEqual(['flex', undefined]);
    expect(server.usage().byServiceTier.default?.requests).toBe(1);
  });

  it("sends a rate-limit 429 on flex back to the queue: the standard tier shares the account's limits", async () => {
    // Arrange
    const { server, extractor } = await extractorOn('flex', () => rateLimited({ seconds: 7 }));

    // Act
    const failure = extractor.extract(TEXT);

    // Assert
    await expect(failure).rejects.toBeInstanceOf(RetryableError);
    expect(server.requests).toHaveLength(1);
  });

  it('sends no service_tier on the standard tier (servers that know no tiers are not sent the field)', async () => {
    // Arrange
    const { server, extractor } = await extractorOn('default', () => ({ technologies: ['Django'] }));

    // Act
    await extractor.extract(TEXT);

    // Assert
    expect(server.requests[0]!.body).not.toHaveProperty('service_tier');
  });
});
