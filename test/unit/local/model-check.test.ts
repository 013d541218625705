import { afterEach, describe, expect, it } from 'vitest';
import { checkModelServer } from '../../../local/model-check.js';
import { type ModelServer, type ModelServerOptions, startModelServer } from '../../../tools/tag-extraction/model-server/index.js';

const NOW = new Date('2026-12-01T10:00:00Z');

let server: ModelServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function check(model: string, options: ModelServerOptions) {
  server = await startModelServer(options);
  return { line: await checkModelServer({ baseUrl: server.baseUrl, apiKey: 'sk-local', model }, NOW), baseUrl: server.baseUrl };
}

describe('npm start checks the model server once', () => {
  it('says it is reachable, knows the model, and names the shutdown date', async () => {
    const { line, baseUrl } = await check('gpt-4o-mini', { models: { 'gpt-4o-mini': { shutdownDate: '2027-01-14' } } });
    expect(line).toBe(
      `${baseUrl} reachable, model gpt-4o-mini known, SHUTS DOWN ON 2027-01-14 (in 43 days): set OPENAI_MODEL or OPENAI_FALLBACK_MODELS`,
    );
  });

  it('says when no shutdown date is announced', async () => {
    const { line, baseUrl } = await check('gpt-6-luna', { models: { 'gpt-6-luna': {} } });
    expect(line).toBe(`${baseUrl} reachable, model gpt-6-luna known, no shutdown date announced`);
  });

  it('says when the server does not know the model', async () => {
    const { line, baseUrl } = await check('gpt-typo', { unlistedModels: 'not-found' });
    expect(line).toMatch(new RegExp(`^${baseUrl.replaceAll('.', '\\.')} reachable, but it does not know model gpt-typo`));
  });

  it('names the URL and the error code when nothing listens', async () => {
    // Arrange
    const stopped = await startModelServer();
    const baseUrl = stopped.baseUrl;
    await stopped.stop();

    // Act
    const line = await checkModelServer({ baseUrl, apiKey: 'sk-local', model: 'gpt-6-luna' }, NOW);

    // Assert
    expect(line).toBe(`unreachable: ${baseUrl}: ECONNREFUSED (connection refused: nothing listens at that address and port)`);
  });

  it('says what the server answered to a wrong key', async () => {
    const { line } = await check('gpt-6-luna', { apiKey: 'sk-other' });
    expect(line).toContain('answered 401 to GET /models/gpt-6-luna');
  });
});
