import { readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DATA_DIR_MARKER } from './settings.js';

const LOCK_FILE = 'stack.pid';

/**
 * Deletes the data directory, but only one the local stack created (it holds our marker file)
 * or an empty one: DATA_DIR comes from the environment, and a typo must not wipe a home folder.
 */
export async function wipeDataDir(dataDir: string): Promise<'wiped' | 'absent'> {
  const info = await stat(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!info) return 'absent';
  if (!info.isDirectory()) throw new Error(`${dataDir} is not a directory; refusing to delete it`);
  const names = await readdir(dataDir);
  if (names.length > 0 && !names.includes(DATA_DIR_MARKER)) {
    throw new Error(`${dataDir} does not look like a local stack data directory (no ${DATA_DIR_MARKER}); refusing to delete it`);
  }
  const owner = await lockOwner(dataDir);
  if (owner !== undefined) throw new Error(`a local stack (pid ${owner}) is running on ${dataDir}; stop it before --reset`);
  await rm(path.resolve(dataDir), { recursive: true, force: true });
  return 'wiped';
}

/**
 * Claims the data directory for this process. Two stacks on one directory would share the
 * emulator's LevelDB files, which fails deep inside dynalite with "Database is closed"; this
 * turns that into a clear message. A lock left by a crashed process is taken over.
 * Returns the release function.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return async () => {
        if ((await readFile(file, 'utf8').catch(() => '')) === String(process.pid)) await unlink(file).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await lockOwner(dataDir);
    if (owner !== undefined) {
      throw new Error(`another local stack (pid ${owner}) is running on ${dataDir}; stop it, or set DATA_DIR to another directory`);
    }
    await unlink(file).catch(() => undefined);
  }
  throw new Error(`could not lock ${dataDir}`);
}

/** The pid of a live process holding the lock, if any. */
async function lockOwner(dataDir: string): Promise<number | undefined> {
  const pid = Number(await readFile(path.join(dataDir, LOCK_FILE), 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}
