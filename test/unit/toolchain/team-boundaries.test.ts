import { execFile } from 'node:child_process';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../../support/temp-root.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
// Run on this process's Node (the pinned 24): dependency-cruiser refuses older ones.
const DEPCRUISE = path.join(REPO_ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

/** Runs the lint's boundary check (the repo's rules) on a tree of the given files; its exit code and report. */
async function checkBoundaries(files: Record<string, string>): Promise<{ exitCode: number; report: string }> {
  const root = testTempDir('boundaries-');
  await cp(path.join(REPO_ROOT, 'tsconfig.json'), path.join(root, 'tsconfig.json'));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  const folders = [...new Set(Object.keys(files).map((file) => file.split('/')[0]!))];
  const args = [DEPCRUISE, '--config', path.join(REPO_ROOT, '.dependency-cruiser.cjs'), ...folders];
  try {
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root });
    return { exitCode: 0, report: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { exitCode: failed.code, report: failed.stdout };
  }
}

const CONTRACT = { 'lambdas/contract/index.ts': 'export const CONTRACT = 1;\n' };
const EXTRACTION = { 'lambdas/tag-extraction/prompts.ts': 'export const PROMPT = "p";\n' };

describe('npm run lint: the boundaries between the teams', () => {
  it('passes code that shares only the contract', async () => {
    const result = await checkBoundaries({
      ...CONTRACT,
      ...EXTRACTION,
      'lambdas/devlog-api/api/handler.ts': "import { CONTRACT } from '../../contract/index.js';\nexport const X = CONTRACT;\n",
    });

    expect(result.exitCode).toBe(0);
  });

  it("fails when the web team's code imports the extraction team's", async () => {
    const result = await checkBoundaries({
      ...EXTRACTION,
      'lambdas/devlog-api/api/handler.ts': "import { PROMPT } from '../../tag-extraction/prompts.js';\nexport const X = PROMPT;\n",
    });

    expect(result.exitCode).not.toBe(0);
    expect(result.report).toContain('web-imports-extraction');
  });

  it("fails when the extraction team's stack imports the web team's code", async () => {
    const result = await checkBoundaries({
      'lambdas/devlog-api/api/http/routes.ts': 'export const ROUTES = [];\n',
      'lib/tag-extraction/tag-extraction-stack.ts':
        "import { ROUTES } from '../../lambdas/devlog-api/api/http/routes.js';\nexport const X = ROUTES;\n",
    });

    expect(result.exitCode).not.toBe(0);
    expect(result.report).toContain('extraction-imports-web');
  });

  it('fails when a Lambda imports the local stack or other tooling', async () => {
    const result = await checkBoundaries({
      'local/settings.ts': 'export const LOCAL = 1;\n',
      'lambdas/tag-extraction/env.ts': "import { LOCAL } from '../../local/settings.js';\nexport const X = LOCAL;\n",
    });

    expect(result.exitCode).not.toBe(0);
    expect(result.report).toContain('lambda-imports-tooling');
  });
});
