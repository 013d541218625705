import type { MeterReading } from '../local/metering/usage-meter.js';

/*
 * Messages between the bench (parent) and bench/stack-host.ts (child) over the IPC channel.
 * Kept apart from both so the parent never imports the child's module (which starts a stack).
 */

/** A command the bench sends to its stack host. */
export type HostRequest =
  | { type: 'stop'; requestId: number }
  | { type: 'cpu'; requestId: number }
  | { type: 'time-api-handler'; requestId: number; entries: string[] }
  | { type: 'time-extraction-handler'; requestId: number; batchSizes: number[]; entries: string[] }
  | { type: 'meter-reset'; requestId: number }
  | { type: 'meter-read'; requestId: number };

/** What the stack host sends back. */
export type HostReply =
  | { type: 'ready'; apiUrl: string; devToken: string; startupMs: number }
  | { type: 'failed'; message: string }
  | { type: 'error'; requestId: number; message: string }
  | { type: 'cpu'; requestId: number; cpuMicros: number; atMs: number }
  | { type: 'api-handler-times'; requestId: number; postMs: number[]; getMs: number[]; ids: string[] }
  | { type: 'extraction-handler-times'; requestId: number; batches: { size: number; ms: number; failed: number }[] }
  | { type: 'meter-reading'; requestId: number; reading: MeterReading };
