import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { daysUntil, type ModelLifecycle, modelLifecycleGuard } from '../../../../lambdas/tag-extraction/adapters/model-lifecycle.js';
import { type ModelServer, startModelServer } from '../../../../tools/tag-extraction/model-server/index.js';

const NOW = new Date('2026-12-01T10:00:00Z');

let server: ModelServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('modelLifecycleGuard', () => {
  it('reads shutdown_date of every model in use once per container, in the background', async () => {
    // Arrange
    server = await startModelServer({
      models: { 'gpt-retiring': { shutdownDate: '2027-01-14' }, 'gpt-current': {}, 'gpt-gone': { gone: 404 } },
    });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseUrl, maxRetries: 0 });
    const found: ModelLifecycle[] = [];
    let allFound = () => {};
    const done = new Promise<void>((resolve) => (allFound = resolve));
    const guard = modelLifecycleGuard(
      async () => client,
      ['gpt-retiring', 'gpt-current', 'gpt-gone'],
      (lifecycle) => {
        found.push(lifecycle);
        if (found.length === 3) allFound();
      },
      () => NOW,
    );

    // Act
    const returned = guard();
    const foundWhenReturned = found.length;
    guard();
    await done;

    // Assert
    expect(returned).toBeUndefined();
    expect(foundWhenReturned).toBe(0);
    expect(found).toEqual([
      { model: 'gpt-retiring', known: true, shutdownDate: '2027-01-14', daysToShutdown: 43 },
      { model: 'gpt-current', known: true },
      expect.objectContaining({ model: 'gpt-gone', known: false }),
    ]);
    expect(server.lookups).toEqual(['gpt-retiring', 'gpt-current', 'gpt-gone']);
  });

  it('reports an unreachable server as unknown instead of failing anything', async () => {
    // Arrange
    const stopped = await startModelServer();
    const baseURL = stopped.baseUrl;
    await stopped.stop();
    const client = new OpenAI({ apiKey: 'sk-test', baseURL, maxRetries: 0 });
    const found = new Promise<ModelLifecycle>((resolve) => modelLifecycleGuard(async () => client, ['gpt-x'], resolve)());

    // Act
    const lifecycle = await found;

    // Assert
    expect(lifecycle).toMatchObject({ model: 'gpt-x', known: false });
  });
});

describe('daysUntil', () => {
  it.each([
    ['2027-01-14', 43],
    ['2026-12-02', 0],
    ['2026-12-01', -1],
  ])('%s is %i days away on 2026-12-01 10:00 UTC', (date, days) => {
    expect(daysUntil(date, NOW)).toBe(days);
  });
});
