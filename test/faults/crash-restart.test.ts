import { afterAll, beforeAll, expect, it } from 'vitest';
import { killLaunchedStacks } from '../../local/stack-launcher.js';
import { temporaryDataDir } from '../e2e/support/local-stack-process.js';
import { ApiClient } from '../support/api-client.js';
import { testModelEnv, testEntries, vocabularyAnswer, QUICK_RETRIES } from '../support/entries.js';
import { type ModelServer, startModelServer } from '../../tools/tag-extraction/model-server/index.js';
import { waitFor } from '../support/wait.js';
import { waitUntilSettled, type AcceptedEntry } from './support/settle.js';
import { startStackProcess, type StackProcess } from './support/stack-process.js';

/*
 * "Nothing accepted is ever lost", against a crash: the whole local stack (`npm start`) is
 * killed with SIGKILL while POSTs are arriving and extraction batches are in flight, then
 * started again on the same DATA_DIR. The SQS emulator keeps its queue in memory, so every job
 * is gone; the entries are on disk, and the restart must re-send the job of every pending one.
 * Every entry that got its 202 before the crash must end done, tagged once.
 */

const ENTRY_COUNT = 200;
/** POSTs answered before the crash; the rest are cut off by it. */
const CRASH_AFTER_ACCEPTED = 150;
/** From here on the model holds its answers, so extraction batches are surely in flight at the crash. */
const HOLD_AFTER_ACCEPTED = 100;

let model: ModelServer;
let data: Awaited<ReturnType<typeof temporaryDataDir>>;
let env: { DATA_DIR: string } & Record<string, string>;

beforeAll(async () => {
  model = await startModelServer({ answer: vocabularyAnswer, latencyMs: 400 });
  data = await temporaryDataDir();
  env = {
    DATA_DIR: data.dataDir,
    ...testModelEnv(model),
    OPENAI_TIMEOUT_MS: '5000',
    ...QUICK_RETRIES,
    RECONCILE_INTERVAL_SECONDS: '1',
    RECONCILE_GRACE_SECONDS: '10',
    LOG_LEVEL: 'ERROR',
  };
});

afterAll(async () => {
  await killLaunchedStacks();
  await model?.stop();
  await data?.remove();
});

it('tags every accepted entry exactly once after a SIGKILL of the whole stack mid-flight and a restart on the same DATA_DIR', async () => {
  // Arrange
  let stack: StackProcess = await startStackProcess(env);
  const client = new ApiClient(stack.apiUrl, stack.token);
  const entries = testEntries(ENTRY_COUNT, 'crash');
  const accepted: AcceptedEntry[] = [];
  let crashed = false;
  let next = 0;
  const poster = async () => {
    while (!crashed && next < entries.length) {
      const entry = entries[next++]!;
      const answer = await client.post(entry.text).catch(() => undefined);
      if (answer?.status === 202) accepted.push({ ...entry, id: answer.body.id as string });
      if (accepted.length === HOLD_AFTER_ACCEPTED) model.hold();
    }
  };
  const posting = Promise.all(Array.from({ length: 8 }, poster));

  // Act: crash once enough POSTs are answered while the model holds the calls of later batches
  // (however fast or slow this machine is, some are in flight)
  await waitFor(() => (accepted.length >= CRASH_AFTER_ACCEPTED && model.inFlight > 0 ? true : undefined), {
    timeoutMs: 90_000,
    intervalMs: 10,
    what: 'POSTs answered with batches in flight',
    describe: () => `${accepted.length} accepted, ${model.inFlight} model calls in flight`,
  });
  const inFlightAtCrash = model.inFlight;
  const answeredAtCrash = model.usage().requests;
  const crash = await stack.crash();
  crashed = true;
  await posting;
  model.release();
  model.setLatency(20);
  stack = await startStackProcess(env);
  const restarted = new ApiClient(stack.apiUrl, stack.token);
  const settled = await waitUntilSettled(restarted, accepted, 60_000);
  // A POST cut off by the crash got no 202, so nothing was promised; if its entry was stored
  // all the same, it must be tagged like the others rather than left pending.
  const everything = await waitFor(
    async () => {
      const listed = await restarted.listAll();
      return listed.every((entry) => entry.status !== 'pending') ? listed : undefined;
    },
    { timeoutMs: 20_000, what: 'entries stored without an answer to be tagged too' },
  );

  // Assert
  expect(crash).toEqual({ survivors: [], stillListening: false });
  expect(inFlightAtCrash).toBeGreaterThan(0);
  expect(answeredAtCrash).toBeLessThan(accepted.length);
  expect(stack.output()).toMatch(/re-sent the jobs of [1-9]\d* pending entries/);
  expect(settled.missing).toEqual([]);
  expect(settled.pending).toEqual([]);
  expect(settled.failed).toEqual([]);
  expect(settled.done).toHaveLength(accepted.length);
  expect(settled.duplicateTags).toEqual([]);
  expect(settled.wrongTags).toEqual([]);
  expect(everything.filter((entry) => entry.status !== 'done')).toEqual([]);
  console.log(
    `crash: ${accepted.length} accepted before the SIGKILL (${everything.length - accepted.length} more stored without an answer), ` +
      `${answeredAtCrash} tagged and ${inFlightAtCrash} model calls in flight at the crash; all done after the restart`,
  );

  const stopped = await stack.stop();
  expect(stopped, `the restarted stack did not stop cleanly; its output:\n${stack.output().slice(-4000)}`).toEqual({
    code: 0,
    survivors: [],
    stillListening: false,
  });
}, 180_000);
