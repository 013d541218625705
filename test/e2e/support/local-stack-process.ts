import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { alive, descendantPids, killTree } from '../../../tools/shared/process-tree.js';
import type { AnswerBody } from '../../support/api-client.js';

/** The repository root, where `npm start` runs. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
/** The entry every e2e test writes. */
export const SEED_ENTRY =
  'Heute habe ich eine Anwendung mit Django geschrieben, die Daten nach Elasticsearch schreibt, und sie auf ImaginaryNoneExistence Cloud deployed.';

const run = promisify(execFile);
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
/** Settings a developer's shell may have that would leak into the stack under test. */
const LOCAL_SETTINGS = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_MODEL', 'PORT', 'DATA_DIR', 'LOG_LEVEL', 'DAILY_ENTRY_QUOTA'];

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

const running = new Set<ChildProcess>();

/** The environment of a child process: the test's, minus local stack settings, plus `env`. */
export function childEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const name of LOCAL_SETTINGS) delete base[name];
  return { ...base, ...env };
}

/**
 * What `npm start` runs (`exec node --import tsx local/start.ts`), on this Node. Not the tsx CLI:
 * it relays SIGTERM to a child of its own and SIGKILLs that child (exit 143) when it does not
 * confirm the signal within 30 ms, which a loaded machine does not always manage.
 */
export const START_COMMAND: readonly [string, string[]] = [process.execPath, ['--import', 'tsx', 'local/start.ts']];

/** Spawns what `npm start` runs, or `npm start` itself, and waits for its ready banner. */
export async function spawnLocalStack(env: Record<string, string>, options: SpawnOptions = {}): Promise<StackProcess> {
  const started = Date.now();
  const [command, args] = options.viaNpm ? ['npm', ['start']] : START_COMMAND;
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: childEnvironment({ PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.viaNpm === true,
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('no ready banner')), STARTUP_TIMEOUT_MS);
    const check = () => {
      if (/ready in [\d.]+ s[\s\S]*Ctrl-C stops everything/.test(output)) done();
    };
    const onExit = (code: number | null) => fail(new Error(`exited with ${code}`));
    const done = () => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.off('exit', onExit);
      resolve();
    };
    const fail = (error: Error) => {
      clearTimeout(timer);
      void killTree(child).then(() => reject(new Error(`local stack did not start (${error.message}); output:\n${output}`)));
    };
    child.stdout!.on('data', check);
    child.once('exit', onExit);
  });

  const apiUrl = /^\s+API\s+(http:\/\/\S+)/m.exec(output)?.[1];
  const token = /export TOKEN=(\S+)/.exec(output)?.[1];
  const reported = /ready in ([\d.]+) s/.exec(output)?.[1];
  if (!apiUrl || !token || !reported) throw new Error(`banner without API URL or token:\n${output}`);
  const port = Number(new URL(apiUrl).port);

  return {
    apiUrl,
    port,
    webUrl: `${apiUrl}/`,
    token,
    reportedStartupMs: Number(reported) * 1000,
    wallStartupMs: Date.now() - started,
    output: () => output,
    async stop() {
      const descendants = await descendantPids(child.pid!);
      const stopping = Date.now();
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
        else child.once('exit', (code, signal) => resolve({ code, signal }));
      });
      child.kill('SIGTERM');
      const timer = setTimeout(() => void killTree(child), STOP_TIMEOUT_MS);
      const { code, signal } = await exited;
      clearTimeout(timer);
      const stopMs = Date.now() - stopping;
      // tsx's esbuild service notices its parent's exit a moment later: give it that moment.
      const deadline = Date.now() + 3_000;
      while (alive(descendants).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      return { code, signal, stopMs, leftoverPids: alive(descendants) };
    },
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

/** Kills every stack a test left running (afterAll safety net, also when a test failed). */
export async function killLeftoverStacks(): Promise<void> {
  await Promise.all([...running].map((child) => killTree(child)));
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
  const { stdout } = await run('npm', ['run', '--silent', 'token', '--', userId], { cwd: REPO_ROOT, env: childEnvironment({ DATA_DIR: dataDir }) });
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
