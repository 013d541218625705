import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { killLaunchedStacks } from '../../local/stack-launcher.js';
import { isListening, spawnLocalStack, temporaryDataDir } from './support/local-stack-process.js';

/*
 * IDE task runners and process supervisors signal only the process they started: `npm`.
 * Whatever npm runs below it (a shell, node, esbuild's service) must go with it, and free the
 * port and the data directory, within a second or two.
 */

const GONE_WITHIN_MS = 2_000;

let data: Awaited<ReturnType<typeof temporaryDataDir>>;

beforeEach(async () => {
  data = await temporaryDataDir();
});

afterEach(async () => {
  await killLaunchedStacks();
  await data?.remove();
});

afterAll(killLaunchedStacks);

it.each(['SIGINT', 'SIGTERM'] as const)(
  'stops the whole process tree and frees the port when only the npm process gets %s',
  async (signal) => {
    // Arrange
    const stack = await spawnLocalStack({ DATA_DIR: data.dataDir }, { viaNpm: true });

    // Act
    const stopped = await stack.signalOnly(signal, GONE_WITHIN_MS);

    // Assert
    expect(stopped.leftoverPids).toEqual([]);
    expect(stopped.goneMs).toBeLessThan(GONE_WITHIN_MS);
    expect(await isListening(stack.port)).toBe(false);
  },
  60_000,
);

it('stops cleanly, not forced, on a Ctrl-C that reaches npm and the stack both', async () => {
  // Arrange
  const stack = await spawnLocalStack({ DATA_DIR: data.dataDir }, { viaNpm: true });

  // Act
  const { code } = await stack.ctrlC();

  // Assert
  expect(stack.output()).not.toContain('Forced exit');
  expect(stack.output()).toContain('Stopped.');
  expect(code).toBe(0);
}, 60_000);
