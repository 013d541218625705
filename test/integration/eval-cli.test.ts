import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTechnologies } from '../../tools/tag-extraction/offline-model/find-technologies.js';
import { type ModelServer, startModelServer } from '../../tools/tag-extraction/model-server/index.js';

const run = promisify(execFile);
const LIMIT = '6';

let server: ModelServer;
let dir: string;

beforeAll(async () => {
  // Production and the good candidate answer like the dictionary; the bad candidate finds nothing.
  server = await startModelServer({
    answer: ({ entry, model }) => ({ technologies: model === 'gpt-bad' ? [] : findTechnologies(entry) }),
  });
  dir = await mkdtemp(join(tmpdir(), 'devlog-eval-cli-'));
});

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs `npm run eval -- ...args` against the model server; returns the exit code and output. */
async function evalCli(...args: string[]): Promise<{ code: number; stdout: string }> {
  const env = { ...process.env, OPENAI_API_KEY: 'sk-eval', OPENAI_BASE_URL: server.baseUrl, OPENAI_MODEL: 'gpt-prod' };
  try {
    const { stdout } = await run('npm', ['run', '--silent', 'eval', '--', '--limit', LIMIT, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('npm run eval -- --model X [--baseline results.json]', () => {
  it('runs the production model too when there is no baseline, and passes an equal candidate', async () => {
    // Act
    const { code, stdout } = await evalCli('--model', 'gpt-good');

    // Assert
    expect(stdout).toContain('Candidate (gpt-good, prompt v1) vs production (gpt-prod, prompt v1, run now on the same entries):');
    expect(stdout).toContain('No regression');
    expect(code).toBe(0);
    expect(new Set(server.requests.map((request) => request.model))).toEqual(new Set(['gpt-good', 'gpt-prod']));
  }, 90_000);

  it('exits non-zero on a regression against a saved baseline, without calling the production model', async () => {
    // Arrange
    const baseline = join(dir, 'production.json');
    await writeFile(baseline, JSON.stringify({ model: 'gpt-prod', promptVersion: 1, overall: { precision: 1, recall: 1, f1: 1 } }));
    server.clearRecording();

    // Act
    const { code, stdout } = await evalCli('--model', 'gpt-bad', '--baseline', baseline);

    // Assert
    expect(stdout).toMatch(/REGRESSION: F1 falls by 1\.000, more than the allowed 0\.02/);
    expect(code).toBe(1);
    expect(server.requests.every((request) => request.model === 'gpt-bad')).toBe(true);
  }, 90_000);
});
