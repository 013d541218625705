import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCommandLine, runCommand, UsageError } from '../../../tools/shared/cli.js';

const COMMAND = { name: 'npm run demo', usage: 'Usage: npm run demo -- [--fast]' };

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function captureConsole() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void err.push(line));
  return { out, err };
}

describe('parseCommandLine', () => {
  it('turns an unknown option into a one-sentence UsageError', () => {
    const parse = () => parseCommandLine({ args: ['--rest'], options: { reset: { type: 'boolean' } } });

    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(/^unknown option '--rest'$/);
  });

  it('returns what parseArgs returns for a good command line', () => {
    expect(parseCommandLine({ args: ['--reset'], options: { reset: { type: 'boolean' } } }).values).toEqual({ reset: true });
  });
});

describe('runCommand', () => {
  it('prints the usage for --help without running the command, exit code unset (0)', async () => {
    const { out } = captureConsole();
    const main = vi.fn(async () => undefined);

    await runCommand(COMMAND, main, ['--fast', '--help']);

    expect(out).toEqual([COMMAND.usage]);
    expect(main).not.toHaveBeenCalled();
    expect(process.exitCode).toBeUndefined();
  });

  it('prints one line and the usage for a UsageError, exit code 2', async () => {
    const { out, err } = captureConsole();

    await runCommand(COMMAND, async () => {
      throw new UsageError('--fast takes no value');
    }, []);

    expect(err).toEqual([`npm run demo: --fast takes no value\n\n${COMMAND.usage}`]);
    expect(out).toEqual([]);
    expect(process.exitCode).toBe(2);
  });

  it('prints any other error as one line without its stack, exit code 1', async () => {
    const { err } = captureConsole();

    await runCommand(COMMAND, async () => {
      throw new Error('no local stack found\n(start it)');
    }, []);

    expect(err).toEqual(['npm run demo: no local stack found; (start it)']);
    expect(process.exitCode).toBe(1);
  });

  it('uses a number returned by the command as its exit code', async () => {
    await runCommand(COMMAND, async () => 3, []);

    expect(process.exitCode).toBe(3);
  });
});
