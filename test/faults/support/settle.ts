import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ApiClient, EntryView } from '../../support/api-client.js';
import type { TestEntry } from '../../support/entries.js';
import { peekJobs, queueDepth } from '../../support/queues.js';
import { mapConcurrently, waitFor } from '../../support/wait.js';
import type { OpsTarget } from '../../../ops/targets.js';

/** The repository root, where npm scripts run. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

/** An entry the API accepted (202), with what it must end up as. */
export interface AcceptedEntry extends TestEntry {
  id: string;
}

/** Where every accepted entry stands, in the terms of the promise "nothing accepted is ever lost". */
export interface SettleReport {
  /** Accepted but not found by GET /logs/{id} or in the owner's list. */
  missing: string[];
  pending: string[];
  done: EntryView[];
  failed: EntryView[];
  /** Entries carrying a tag value twice (ignoring case). */
  duplicateTags: string[];
  /** Done entries whose tags are not exactly the technologies the entry names. */
  wrongTags: { id: string; expected: string[]; actual: string[] }[];
  /** Entries in the list that nobody posted (a second entry from a retried POST, say). */
  unexpected: string[];
}

/** Reads every accepted entry through the API and sorts it into the report. */
export async function settleReport(client: ApiClient, accepted: readonly AcceptedEntry[]): Promise<SettleReport> {
  const listed = new Map((await client.listAll()).map((entry) => [entry.id, entry]));
  const report: SettleReport = { missing: [], pending: [], done: [], failed: [], duplicateTags: [], wrongTags: [], unexpected: [] };
  const acceptedIds = new Set(accepted.map((entry) => entry.id));
  for (const id of listed.keys()) if (!acceptedIds.has(id)) report.unexpected.push(id);
  for (const expected of accepted) {
    const entry = listed.get(expected.id);
    if (!entry || entry.entry !== expected.text) {
      report.missing.push(expected.id);
      continue;
    }
    const values = entry.tags.map((tag) => tag.value);
    if (new Set(values.map((value) => value.toLowerCase())).size !== values.length) report.duplicateTags.push(entry.id);
    if (entry.status === 'pending') report.pending.push(entry.id);
    if (entry.status === 'failed') report.failed.push(entry);
    if (entry.status === 'done') {
      report.done.push(entry);
      if (JSON.stringify(values) !== JSON.stringify(expected.expectedTags)) {
        report.wrongTags.push({ id: entry.id, expected: expected.expectedTags, actual: values });
      }
    }
  }
  return report;
}

/** Polls until no accepted entry is `pending` any more; returns the final report. */
export async function waitUntilSettled(client: ApiClient, accepted: readonly AcceptedEntry[], timeoutMs: number): Promise<SettleReport> {
  let last: SettleReport | undefined;
  return waitFor(
    async () => {
      last = await settleReport(client, accepted);
      return last.pending.length === 0 ? last : undefined;
    },
    {
      timeoutMs,
      intervalMs: 250,
      what: `${accepted.length} entries to leave pending`,
      describe: () =>
        last
          ? `${last.pending.length} pending, ${last.done.length} done, ${last.failed.length} failed, ${last.missing.length} missing`
          : '',
    },
  );
}

/** Waits until the job of every given entry is in the DLQ; returns the DLQ's entry ids. */
export async function waitForJobsInDlq(ops: OpsTarget, entryIds: readonly string[], timeoutMs: number): Promise<string[]> {
  let inDlq: string[] = [];
  return waitFor(
    async () => {
      inDlq = (await peekJobs(ops.sqsClient, ops.dlqUrl)).map((job) => job.entryId);
      const present = new Set(inDlq);
      return entryIds.every((id) => present.has(id)) ? inDlq : undefined;
    },
    {
      timeoutMs,
      intervalMs: 500,
      what: 'the jobs of the failed entries to reach the DLQ',
      describe: () => `missing from the DLQ: ${entryIds.filter((id) => !inDlq.includes(id)).join(', ')}`,
    },
  );
}

/** Waits until the jobs queue holds no message at all: none visible, in flight, or delayed. */
export async function waitForQueueDrained(ops: OpsTarget, timeoutMs: number): Promise<void> {
  let depth = '';
  await waitFor(
    async () => {
      const { visible, inFlight, delayed } = await queueDepth(ops.sqsClient, ops.queueUrl);
      depth = `${visible} visible, ${inFlight} in flight, ${delayed} delayed`;
      return visible + inFlight + delayed === 0 ? true : undefined;
    },
    { timeoutMs, intervalMs: 250, what: 'the jobs queue to drain', describe: () => depth },
  );
}

const run = promisify(execFile);

/**
 * Runs `npm run redrive -- --local --data-dir <dir>` exactly as an operator would, against the
 * stack running on that data directory; returns what it printed as JSON.
 */
export async function runRedriveCli(dataDir: string): Promise<{ entriesReset: number; messagesMoved: number }> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_ENDPOINT_URL')) delete env[name];
  const { stdout } = await run('npm', ['run', '--silent', 'redrive', '--', '--local', '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    env,
    timeout: 60_000,
  });
  const lastLine = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(lastLine) as { entriesReset: number; messagesMoved: number };
}

/** POSTs every entry (at most `concurrency` at once) and returns the answers with the entries. */
export async function postAll(
  client: ApiClient,
  entries: readonly TestEntry[],
  concurrency: number,
): Promise<{ entry: TestEntry; status: number; id?: string; ms: number; body: Record<string, unknown> }[]> {
  return mapConcurrently(entries, concurrency, async (entry) => {
    const answer = await client.post(entry.text);
    return { entry, status: answer.status, id: answer.body.id as string | undefined, ms: answer.ms, body: answer.body };
  });
}
