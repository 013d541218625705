import { createHash } from 'node:crypto';
import { readdir, rm, stat, unlink } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DATA_DIR_MARKER } from './settings.js';

/** How long a connected lock holder may take to say its pid. */
const OWNER_ANSWER_TIMEOUT_MS = 2_000;

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
 * turns that into a clear message. Returns the release function.
 *
 * The lock is a listening Unix socket, not a pid file: the kernel closes it the moment its
 * holder dies, even while the dead process is still an unreaped zombie (for which
 * `kill(pid, 0)` succeeds), so a restart right after a SIGKILL gets the lock at once. Node has
 * no flock(2) and the lock-file packages judge staleness by pid or mtime, hence by hand.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const socketPath = lockSocketPath(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    const server = net.createServer((connection) => connection.end(String(process.pid)));
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(socketPath, () => resolve(undefined));
    });
    if (!error) {
      server.unref();
      return () => new Promise<void>((resolve) => server.close(() => resolve()));
    }
    if (error.code !== 'EADDRINUSE') throw error;
    const owner = await lockOwner(dataDir);
    if (owner !== undefined) {
      throw new Error(`another local stack (pid ${owner}) is running on ${dataDir}; stop it, or set DATA_DIR to another directory`);
    }
    // Nobody listens: the socket file of a process that died. Take it over.
    await unlink(socketPath).catch(() => undefined);
  }
  throw new Error(`could not lock ${dataDir}`);
}

/**
 * The live process holding the lock, if any: it answers a connection with its pid. A holder that
 * accepts but does not answer (stopped with SIGSTOP, say) is alive all the same.
 */
async function lockOwner(dataDir: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let answer = '';
    const connection = net.connect(lockSocketPath(dataDir));
    connection.setTimeout(OWNER_ANSWER_TIMEOUT_MS, () => {
      connection.destroy();
      resolve('unknown');
    });
    connection.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    connection.on('end', () => resolve(answer || 'unknown'));
    connection.on('error', () => resolve(undefined));
  });
}

/**
 * Where the lock socket of a data directory lives: in the temp folder, named by the directory's
 * absolute path, because a socket path is limited to about 100 bytes and DATA_DIR can be longer.
 */
function lockSocketPath(dataDir: string): string {
  const id = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  return process.platform === 'win32' ? `\\\\.\\pipe\\devlog-tags-${id}` : path.join(tmpdir(), `devlog-tags-${id}.sock`);
}
