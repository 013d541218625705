import { spawn, type ChildProcess } from 'node:child_process';
import { childEnvironment, isListening, REPO_ROOT, START_COMMAND } from '../../e2e/support/local-stack-process.js';
import { alive, descendantPids, killTree } from '../../../tools/shared/process-tree.js';

/*
 * The local stack as `npm start` runs it (`node --import tsx local/start.ts`), in its own process tree, so a
 * test can kill it the hard way: SIGKILL to every process of the tree, no chance to clean up,
 * as a power cut or an OOM kill would.
 */

const STARTUP_TIMEOUT_MS = 60_000;
const running = new Set<ChildProcess>();

/** A stack process that a test may crash. */
export interface StackProcess {
  apiUrl: string;
  port: number;
  /** The dev-user token of the banner. */
  token: string;
  /** Everything printed so far. */
  output(): string;
  /** SIGKILLs the whole process tree at once; resolves when all of it is gone, with any survivor. */
  crash(): Promise<{ survivors: number[]; stillListening: boolean }>;
  /** SIGTERM (Ctrl-C) and wait for exit; reports leftovers. */
  stop(): Promise<{ code: number | null; survivors: number[]; stillListening: boolean }>;
}

/** Starts what `npm start` runs with `env` and waits for its ready banner. */
export async function startStackProcess(env: Record<string, string>): Promise<StackProcess> {
  const [command, args] = START_COMMAND;
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: childEnvironment({ PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!/ready in [\d.]+ s[\s\S]*Ctrl-C stops everything/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await killTree(child);
      throw new Error(`the local stack did not start; output:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const apiUrl = /^\s+API\s+(http:\/\/\S+)/m.exec(output)?.[1];
  const token = /export TOKEN=(\S+)/.exec(output)?.[1];
  if (!apiUrl || !token) throw new Error(`banner without API URL or token:\n${output}`);
  const port = Number(new URL(apiUrl).port);

  return {
    apiUrl,
    port,
    token,
    output: () => output,
    async crash() {
      const tree = [child.pid!, ...(await descendantPids(child.pid!))];
      await killTree(child);
      const survivors = await waitForExit(tree);
      return { survivors, stillListening: await stillListening(port) };
    },
    async stop() {
      const tree = [child.pid!, ...(await descendantPids(child.pid!))];
      const exited = new Promise<number | null>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
        else child.once('exit', (code) => resolve(code));
      });
      child.kill('SIGTERM');
      const timer = setTimeout(() => void killTree(child), 15_000);
      const code = await exited;
      clearTimeout(timer);
      const survivors = await waitForExit(tree);
      return { code, survivors, stillListening: await stillListening(port) };
    },
  };
}

/** SIGKILLs every stack process still running (afterAll safety net, also after a failed test). */
export async function killAllStackProcesses(): Promise<void> {
  await Promise.all([...running].map((child) => killTree(child)));
}


/**
 * Whether the port still accepts connections 3 s on. A killed process's threads may still be
 * tearing down (its sockets with them) when its main thread already shows as a zombie.
 */
async function stillListening(port: number): Promise<boolean> {
  const deadline = Date.now() + 3_000;
  while (await isListening(port)) {
    if (Date.now() > deadline) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** Waits up to 3 s for the processes to disappear; returns those still alive. */
async function waitForExit(pids: number[]): Promise<number[]> {
  const deadline = Date.now() + 3_000;
  while (alive(pids).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return alive(pids);
}
