import { type ChildProcess, fork, spawn } from 'node:child_process';
import path from 'node:path';
import { ApiEnvSchema } from '../lambdas/devlog-api/api/env.js';
import { ReconcilerEnvSchema } from '../lambdas/devlog-api/reconciler/env.js';
import { ExtractionEnvSchema } from '../lambdas/tag-extraction/env.js';
import { alive, descendantPids, killTree } from '../tools/shared/process-tree.js';
import { parseReadyBanner, type ReadyBanner } from './ready-banner.js';
import { LocalSettingsSchema } from './settings.js';

/*
 * The one way the tests and the bench start a local stack in a child process: as `npm start`
 * runs it, on a DATA_DIR and settings of their choosing, never with a developer's own settings.
 */

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const STOP_GRACE_MS = 15_000;
/** tsx's esbuild service notices its parent's exit a moment later: the tree gets this long to go. */
const TREE_EXIT_MS = 3_000;

/**
 * Every variable a local stack reads: its own settings and those of the handlers it runs (the
 * stack passes the environment through to them, as `npm start` lets a developer tune them).
 */
const STACK_SETTING_SCHEMAS = [LocalSettingsSchema, ApiEnvSchema, ReconcilerEnvSchema, ExtractionEnvSchema];

/**
 * The variables a child stack must not inherit from this process: every setting of the schemas
 * above, so a setting added to one is kept out without a list to update, and NODE_OPTIONS (a
 * `--inspect` of the developer's would make every child fight for the debugger's port).
 */
const NOT_INHERITED: ReadonlySet<string> = new Set([
  ...STACK_SETTING_SCHEMAS.flatMap((schema) => Object.keys(schema.shape)),
  'NODE_OPTIONS',
]);

/** The environment of a child process: this one's without the stack's settings, plus `env`. */
export function childStackEnvironment(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !NOT_INHERITED.has(name)));
  return { ...inherited, ...env };
}

/** How a stack process is started. */
export interface StackProcessOptions {
  dataDir: string;
  /** Settings on top of PORT=0 and DATA_DIR. */
  env?: Record<string, string>;
  /** The program, relative to the repository (local/start.ts, what `npm start` runs, unless told). */
  script?: string;
  /** `npm start` itself, in a process group of its own like a terminal's foreground job. */
  viaNpm?: boolean;
  /** An IPC channel to the child (the bench's stack host answers over it). */
  ipc?: boolean;
}

const running = new Set<ChildProcess>();

/**
 * Spawns what `npm start` runs (`node --import tsx local/start.ts`) on this Node, without waiting.
 * Not the tsx CLI: it relays SIGTERM to a child of its own and SIGKILLs that child (exit 143)
 * when it does not confirm the signal within 30 ms, which a loaded machine does not always manage.
 */
export function spawnStackProcess(options: StackProcessOptions): ChildProcess {
  const env = childStackEnvironment({ PORT: '0', DATA_DIR: options.dataDir, ...options.env });
  const script = options.script ?? 'local/start.ts';
  let child: ChildProcess;
  if (options.ipc) {
    // fork, as the bench always did: spawn with an 'ipc' stdio left the bench's decoupling section
    // short of done entries in 2 of 2 runs here (fork: none), for a reason not found.
    child = fork(script, [], { cwd: REPO_ROOT, env, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  } else {
    const [command, args] = options.viaNpm ? ['npm', ['start']] : [process.execPath, ['--import', 'tsx', script]];
    child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.viaNpm === true });
  }
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** A local stack in a child process that has printed its ready banner. */
export interface LaunchedStack extends ReadyBanner {
  child: ChildProcess;
  port: number;
  /** Wall-clock time from spawn to the ready banner, in ms. */
  wallStartupMs: number;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM as Ctrl-C sends it (the whole tree SIGKILLed after a grace period); waits for the exit, reports leftovers. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; stopMs: number; leftoverPids: number[] }>;
  /** SIGKILLs the whole process tree at once, as a power cut would; resolves with any process that survived. */
  kill(): Promise<number[]>;
}

/** Starts the local stack in a child process and waits for its ready banner; kills it if none comes. */
export async function launchLocalStack(options: StackProcessOptions & { startupTimeoutMs?: number }): Promise<LaunchedStack> {
  const started = Date.now();
  const child = spawnStackProcess(options);
  const { pid, stdout, stderr } = child;
  if (pid === undefined || !stdout || !stderr) throw new Error(`could not start ${options.script ?? 'local/start.ts'}`);
  let output = '';
  stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const banner = await new Promise<ReadyBanner>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('no ready banner')), options.startupTimeoutMs ?? 60_000);
    const check = () => {
      try {
        const ready = parseReadyBanner(output);
        if (ready) done(ready);
      } catch (error) {
        fail(error as Error);
      }
    };
    const onExit = (code: number | null) => fail(new Error(`exited with ${code}`));
    const detach = () => {
      clearTimeout(timer);
      stdout.off('data', check);
      child.off('exit', onExit);
    };
    const done = (ready: ReadyBanner) => {
      detach();
      resolve(ready);
    };
    const fail = (error: Error) => {
      detach();
      void killTree(child).then(() => reject(new Error(`local stack did not start (${error.message}); output:\n${output}`)));
    };
    stdout.on('data', check);
    child.once('exit', onExit);
  });

  return {
    ...banner,
    child,
    port: Number(new URL(banner.apiUrl).port),
    wallStartupMs: Date.now() - started,
    output: () => output,
    async stop() {
      const tree = [pid, ...(await descendantPids(pid))];
      const stopping = Date.now();
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
        else child.once('exit', (code, signal) => resolve({ code, signal }));
      });
      child.kill('SIGTERM');
      const timer = setTimeout(() => void killTree(child), STOP_GRACE_MS);
      const { code, signal } = await exited;
      clearTimeout(timer);
      const stopMs = Date.now() - stopping;
      return { code, signal, stopMs, leftoverPids: await treeGone(tree) };
    },
    async kill() {
      const tree = [pid, ...(await descendantPids(pid))];
      await killTree(child);
      return treeGone(tree);
    },
  };
}

/** SIGKILLs every stack process this process started and that still runs (a test's afterAll safety net). */
export async function killLaunchedStacks(): Promise<void> {
  await Promise.all([...running].map((child) => killTree(child)));
}

/** Waits up to TREE_EXIT_MS for the processes to disappear; returns those still alive. */
async function treeGone(pids: number[]): Promise<number[]> {
  const deadline = Date.now() + TREE_EXIT_MS;
  while (alive(pids).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return alive(pids);
}
