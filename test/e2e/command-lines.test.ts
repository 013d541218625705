import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childStackEnvironment } from '../../local/stack-launcher.js';
import { REPO_ROOT, temporaryDataDir } from './support/local-stack-process.js';

/*
 * A newcomer's first tries: every command answers --help with its usage (exit 0), and a bad
 * argument or setting with one line saying what is wrong plus the usage (exit 2), never a
 * stack trace. Run through npm, as the README tells people to.
 */

const run = promisify(execFile);
const COMMANDS = ['start', 'token', 'redrive', 'backfill', 'eval', 'bench'] as const;

let data: Awaited<ReturnType<typeof temporaryDataDir>>;

beforeAll(async () => {
  data = await temporaryDataDir();
});

afterAll(async () => {
  await data?.remove();
});

async function npmRun(command: string, args: string[], env: Record<string, string> = {}) {
  const result = await run('npm', ['run', '--silent', command, '--', ...args], {
    cwd: REPO_ROOT,
    env: childStackEnvironment({ DATA_DIR: data.dataDir, ...env }),
    timeout: 50_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
  return result;
}

describe.each(COMMANDS)('npm run %s', (command) => {
  it('answers --help with its usage and exit code 0', async () => {
    const { code, stdout, stderr } = await npmRun(command, ['--help']);

    expect(stdout).toMatch(new RegExp(`^Usage: npm (run )?${command === 'start' ? '' : '(--silent )?'}${command}\\b`));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});

describe.each([
  ['start', ['--rest'], {}, /^npm start: unknown option '--rest'$/],
  ['start', [], { PORT: 'abc' }, /^npm start: PORT=abc: /],
  ['token', [], {}, /^npm run token: a user id is required$/],
  ['redrive', ['--stag', 'dev'], {}, /^npm run redrive: unknown option '--stag'$/],
  ['backfill', ['--local', '--since', 'yesterday'], {}, /^npm run backfill: --since needs a date YYYY-MM-DD, not yesterday$/],
  ['eval', ['--treshold', '0.8'], {}, /^npm run eval: unknown option '--treshold'$/],
  ['bench', ['--only', 'latency'], {}, /^npm run bench: unknown section latency; choose from /],
] as const)('npm run %s %j with %j', (command, args, env, message) => {
  it('prints one line saying what is wrong, then the usage, and exits 2', async () => {
    const { code, stdout, stderr } = await npmRun(command, [...args], env);

    const [first, blank, usage] = stderr.split('\n');
    expect(first).toMatch(message);
    expect(blank).toBe('');
    expect(usage).toMatch(/^Usage: npm /);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  }, 60_000);
});
