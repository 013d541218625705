import { type ChildProcess, execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/*
 * The process trees the tests and the bench start: `npm start` runs tsx, which runs the stack in
 * a child node process, so ending only the direct child would leave the stack holding its port.
 */

/** Every process below `pid` in the process tree (children, grandchildren, ...). */
export async function descendantPids(pid: number): Promise<number[]> {
  const { stdout } = await run('ps', ['-e', '-o', 'pid=,ppid=']);
  const children = new Map<number, number[]>();
  for (const line of stdout.trim().split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (child === undefined || parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const result: number[] = [];
  const unvisited = [pid];
  for (let parent = unvisited.pop(); parent !== undefined; parent = unvisited.pop()) {
    for (const child of children.get(parent) ?? []) {
      result.push(child);
      unvisited.push(child);
    }
  }
  return result;
}

/** The processes still running; a zombie (dead, not yet reaped by its new parent) counts as gone. */
export function alive(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
    } catch {
      return true;
    }
  });
}

/** SIGKILLs a child process and everything below it, and resolves once the child has exited. */
export async function killTree(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (const pid of [...(await descendantPids(child.pid)), child.pid]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await exited;
}
