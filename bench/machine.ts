import os from 'node:os';
import { readFileSync } from 'node:fs';

/** What the figures were measured on; printed beside them and stored in the JSON. */
export interface MachineInfo {
  node: string;
  platform: string;
  cpuModel: string;
  cpuCount: number;
  /** Cores this process may use (cgroup quota or affinity), when the OS says so. */
  availableParallelism: number;
  memoryGiB: number;
  /** The cgroup's memory limit, when one is set below the machine's memory. */
  cgroupMemoryLimitGiB?: number;
  loadAverage1m: number;
}

/** Describes this machine: Node version, CPU model and count, memory, load at the start. */
export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  const cgroupLimit = cgroupMemoryLimitBytes();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    ...(cgroupLimit && cgroupLimit < os.totalmem() ? { cgroupMemoryLimitGiB: Math.round((cgroupLimit / 2 ** 30) * 10) / 10 } : {}),
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

/** One line for the table header. */
export function machineLine(machine: MachineInfo): string {
  const memory = machine.cgroupMemoryLimitGiB ? `${machine.cgroupMemoryLimitGiB} GiB (cgroup)` : `${machine.memoryGiB} GiB`;
  return `Node ${machine.node}, ${machine.cpuModel} x ${machine.cpuCount} (${machine.availableParallelism} usable), ${memory} RAM, ${machine.platform}, load ${machine.loadAverage1m}`;
}

// Containers often show the host's memory in os.totalmem(); the cgroup file has the real limit.
function cgroupMemoryLimitBytes(): number | undefined {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const value = readFileSync(file, 'utf8').trim();
      const bytes = Number(value);
      if (Number.isFinite(bytes) && bytes > 0) return bytes;
    } catch {
      // Not on this system.
    }
  }
  return undefined;
}
