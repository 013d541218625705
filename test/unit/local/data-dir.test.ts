import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { lockDataDir, wipeDataDir } from '../../../local/data-dir.js';
import { DATA_DIR_MARKER } from '../../../local/settings.js';
import { waitFor } from '../../support/wait.js';

/*
 * The data directory lock against a crash: after a SIGKILL the holder can stay a zombie for a
 * while (PID 1 reaps slowly; without an init it may never be reaped), and `kill(pid, 0)`
 * succeeds on a zombie. A restart right after the crash must get the lock all the same.
 */

const HOLDER = `
import { lockDataDir } from ${JSON.stringify(path.resolve('local/data-dir.ts'))};
await lockDataDir(process.argv[1]);
console.log('locked ' + process.pid);
setInterval(() => {}, 1000);
`;

let dataDir: string;
const parents: ReturnType<typeof spawn>[] = [];
const holders: number[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'devlog-lock-'));
  await writeFile(path.join(dataDir, DATA_DIR_MARKER), '{}');
});

afterEach(async () => {
  for (const holder of holders.splice(0)) killQuietly(holder);
  for (const parent of parents.splice(0)) parent.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

/** Starts a lock holder whose parent never reaps it, so a SIGKILL leaves it a zombie. */
async function startUnreapedHolder(): Promise<number> {
  // sh starts the holder in the background, then becomes `sleep`, which never waits for it.
  const script = `"${process.execPath}" --import tsx --input-type=module -e "$HOLDER" "$DIR" & exec sleep 600`;
  const parent = spawn('sh', ['-c', script], { env: { ...process.env, HOLDER, DIR: dataDir }, stdio: ['ignore', 'pipe', 'inherit'] });
  parents.push(parent);
  let output = '';
  parent.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const holder = await waitFor(() => Number(/locked (\d+)/.exec(output)?.[1]) || undefined, {
    timeoutMs: 20_000,
    what: 'the holder to take the lock',
  });
  holders.push(holder);
  return holder;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

async function isZombie(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return / Z /.test(stat.slice(stat.lastIndexOf(')')));
}

it('refuses a second lock while the holder is alive', async () => {
  // Arrange
  const holder = await startUnreapedHolder();

  // Act
  const second = lockDataDir(dataDir);

  // Assert
  await expect(second).rejects.toThrow(`another local stack (pid ${holder}) is running on ${dataDir}`);
  await expect(wipeDataDir(dataDir)).rejects.toThrow(`a local stack (pid ${holder}) is running`);
});

it.runIf(process.platform === 'linux')('takes the lock at once when its holder was killed and is still a zombie', async () => {
  // Arrange
  const holder = await startUnreapedHolder();
  process.kill(holder, 'SIGKILL');
  await waitFor(async () => ((await isZombie(holder)) ? true : undefined), { timeoutMs: 5_000, what: 'the holder to be a zombie' });

  // Act
  const release = await lockDataDir(dataDir);

  // Assert
  expect(await isZombie(holder)).toBe(true);
  await release();
});

it('takes the lock again after its release, and wipes an unlocked directory', async () => {
  // Arrange
  const release = await lockDataDir(dataDir);
  await release();

  // Act
  const again = await lockDataDir(dataDir);
  await again();

  // Assert
  await expect(wipeDataDir(dataDir)).resolves.toBe('wiped');
});
