import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { childStackEnvironment, launchLocalStack } from '../../../local/stack-launcher.js';
import { alive, descendantPids } from '../../../tools/shared/process-tree.js';
import type { AnswerBody } from '../../support/api-client.js';

/** The repository root, where `npm start` runs. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
/** The entry every e2e test writes. */
export const SEED_ENTRY =
  'Heute habe ich eine Anwendung mit Django geschrieben, die Daten nach Elasticsearch schreibt, und sie auf ImaginaryNoneExistence Cloud deployed.';

const run = promisify(execFile);

/** A local stack running in its own process, as `npm start` runs it. */
export interface StackProcess {
  apiUrl: string;
  port: number;
  webUrl: string;
  /** The dev-user token the banner printed. */
  token: string;
  /** Startup time the stack reported, in ms. */
  reportedStartupMs: number;
  /** Wall-clock time from spawn to the ready banner, in ms. */
  wallStartupMs: number;
  /** Everything printed so far. */
  output(): string;
  /** Sends SIGTERM like Ctrl-C would and waits for exit; reports leftovers. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stopMs: number; leftoverPids: number[] }>;
  /**
   * Sends `signal` to the spawned process alone (an IDE task runner or a supervisor does that)
   * and waits up to `withinMs` for it and every process below it to be gone; kills what is left.
   */
  signalOnly(signal: NodeJS.Signals, withinMs: number): Promise<{ goneMs: number; leftoverPids: number[] }>;
  /** Sends SIGINT to the whole process group, as Ctrl-C in a terminal does (only with `viaNpm`), and waits for the exit. */
  ctrlC(): Promise<{ code: number | null }>;
}

/** How the stack is started: as `npm start` runs it (tsx directly, the default) or through npm itself. */
export interface SpawnOptions {
  /** `npm start`, in a process group of its own like a terminal's foreground job. */
  viaNpm?: boolean;
}

/** Starts what `npm start` runs, or `npm start` itself, on `env`'s DATA_DIR and waits for its ready banner. */
export async function spawnLocalStack(
  env: { DATA_DIR: string } & Record<string, string>,
  options: SpawnOptions = {},
): Promise<StackProcess> {
  const stack = await launchLocalStack({ dataDir: env.DATA_DIR, env, startupTimeoutMs: 30_000, ...options });
  const { child } = stack;
  return {
    apiUrl: stack.apiUrl,
    port: stack.port,
    webUrl: `${stack.apiUrl}/`,
    token: stack.token,
    reportedStartupMs: stack.startupMs,
    wallStartupMs: stack.wallStartupMs,
    output: stack.output,
    stop: stack.stop,
    async signalOnly(signal, withinMs) {
      const tree = [child.pid!, ...(await descendantPids(child.pid!))];
      const signalled = Date.now();
      process.kill(child.pid!, signal);
      const deadline = signalled + withinMs;
      while (alive(tree).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const goneMs = Date.now() - signalled;
      const leftoverPids = alive(tree);
      // Orphans are no longer below the child, so the afterAll safety net would miss them.
      for (const pid of leftoverPids) process.kill(pid, 'SIGKILL');
      return { goneMs, leftoverPids };
    },
    async ctrlC() {
      const exited = new Promise<{ code: number | null }>((resolve) => child.once('exit', (code) => resolve({ code })));
      process.kill(-child.pid!, 'SIGINT');
      return exited;
    },
  };
}

/** A fresh temporary DATA_DIR and its removal. */
export async function temporaryDataDir(): Promise<{ dataDir: string; remove(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'devlog-e2e-'));
  return { dataDir, remove: () => rm(dataDir, { recursive: true, force: true }) };
}

/** Whether something accepts connections on the loopback port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs `npm run --silent token -- <userId>` against a data directory; returns stdout as is. */
export async function tokenFromCli(userId: string, dataDir: string): Promise<string> {
  const { stdout } = await run('npm', ['run', '--silent', 'token', '--', userId], {
    cwd: REPO_ROOT,
    env: childStackEnvironment({ DATA_DIR: dataDir }),
  });
  return stdout;
}

/** Polls GET /logs/{id} until the entry leaves `pending`. */
export async function waitForEntry(apiUrl: string, token: string, id: string, timeoutMs = 20_000): Promise<AnswerBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${apiUrl}/logs/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const entry = (await response.json()) as AnswerBody;
    if (response.status === 200 && entry.status !== 'pending') return entry;
    if (Date.now() > deadline) throw new Error(`entry ${id} still ${entry.status ?? response.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** POSTs an entry and returns the status, body and how long the answer took. */
export async function postEntry(apiUrl: string, token: string, entry: string) {
  const started = performance.now();
  const response = await fetch(`${apiUrl}/logs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ entry }),
  });
  const body = (await response.json()) as AnswerBody;
  return { status: response.status, body, elapsedMs: performance.now() - started };
}
