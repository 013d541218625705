import { beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_CODES } from '../../lambdas/contract/index.js';
import type { ApiClient } from '../support/api-client.js';
import { TEST_MODEL, testEntries, vocabularyAnswer } from '../support/entries.js';
import { useFaultSuiteStack } from './support/fault-suite-stack.js';
import { type ModelServer, withRandomFaults } from '../../tools/tag-extraction/model-server/index.js';
import { peekJobs } from '../support/queues.js';
import {
  postAll,
  runRedriveCli,
  settleReport,
  waitForJobsInDlq,
  waitForQueueDrained,
  waitUntilSettled,
  type AcceptedEntry,
  type SettleReport,
} from './support/settle.js';

/*
 * "Nothing accepted is ever lost", against model faults: the local stack, unchanged handlers,
 * and an OpenAI-compatible server that fails 30% of calls with 5xx, 10% with 429 and
 * retry-after, and answers 5% too late for the client's timeout. Some entries always fail
 * while the faults last, so the DLQ and the redrive are exercised for certain. Every accepted
 * entry must end done or failed (its job in the DLQ), with its tags written once; after the
 * faults stop, `npm run redrive` must make every failed entry done.
 */

const ENTRY_COUNT = 160;
/** Entries the model refuses (500) for as long as the faults last. */
const isPoisoned = (text: string) => /#(7|57|107|157)\]/.test(text);

const stack = useFaultSuiteStack(20, {
  // A slow answer must time out quickly; the queue, not the client, does the retrying.
  OPENAI_TIMEOUT_MS: '1000',
  CIRCUIT_COOLDOWN_SECONDS: '1',
  RECONCILE_INTERVAL_SECONDS: '1',
  RECONCILE_GRACE_SECONDS: '20',
  VISIBILITY_TIMEOUT_SECONDS: '20',
});
let model: ModelServer;
let client: ApiClient;
const accepted: AcceptedEntry[] = [];
let settled: SettleReport;

beforeAll(async () => {
  model = stack().model!;
  client = await stack().client('model-faults-user');
});

describe('with 30% 5xx, 10% 429 and 5% answers past the timeout from the model', () => {
  it('answers 202 to every POST and settles every entry as done or failed, never pending, never tagged twice', async () => {
    // Arrange
    const faulty = withRandomFaults(vocabularyAnswer, {
      serverErrorRate: 0.3,
      rateLimitRate: 0.1,
      retryAfterSeconds: 1,
      slowRate: 0.05,
      slowMs: 2_500,
      alwaysFail: isPoisoned,
    });
    model.answer = faulty.answer;
    const entries = testEntries(ENTRY_COUNT, 'model-faults');
    const poisoned = entries.filter((entry) => isPoisoned(entry.text)).length;

    // Act
    const answers = await postAll(client, entries, 8);
    for (const answer of answers) if (answer.status === 202) accepted.push({ ...answer.entry, id: answer.id! });
    settled = await waitUntilSettled(client, accepted, 75_000);

    // Assert
    expect(answers.filter((answer) => answer.status !== 202)).toEqual([]);
    expect(settled.missing).toEqual([]);
    expect(settled.unexpected).toEqual([]);
    expect(settled.pending).toEqual([]);
    expect(settled.done.length + settled.failed.length).toBe(ENTRY_COUNT);
    expect(settled.duplicateTags).toEqual([]);
    expect(settled.wrongTags).toEqual([]);
    for (const entry of settled.done) expect(entry.model).toBe(TEST_MODEL);
    for (const entry of settled.failed) expect(FAILURE_CODES).toContain(entry.error?.code);
    // The poisoned entries failed, and the random faults really happened.
    expect(settled.failed.length).toBeGreaterThanOrEqual(poisoned);
    expect(poisoned).toBeGreaterThan(0);
    expect(faulty.counts.serverErrors).toBeGreaterThan(0);
    expect(faulty.counts.rateLimited).toBeGreaterThan(0);
    expect(faulty.counts.slow).toBeGreaterThan(0);
    console.log(
      `model faults: ${ENTRY_COUNT} entries, ${settled.done.length} done, ${settled.failed.length} failed (${poisoned} poisoned); ` +
        `model saw ${model.requests.length} calls: ${faulty.counts.serverErrors} 5xx, ${faulty.counts.rateLimited} 429, ${faulty.counts.slow} too slow`,
    );
  }, 120_000);

  it('has the job of every failed entry in the DLQ, ready for a redrive', async () => {
    // Arrange: copies still cycling through their last receives must reach the DLQ first
    await waitForQueueDrained(stack().ops, 30_000);

    // Act
    const inDlq = await waitForJobsInDlq(
      stack().ops,
      settled.failed.map((entry) => entry.id),
      30_000,
    );

    // Assert: nothing else is in the DLQ but jobs of failed entries
    const failedIds = new Set(settled.failed.map((entry) => entry.id));
    expect(inDlq.filter((id) => !failedIds.has(id))).toEqual([]);
  }, 40_000);
});

describe('after the model recovers', () => {
  it('`npm run redrive -- --local` makes every failed entry done, tagged once, and empties the DLQ', async () => {
    // Arrange
    model.answer = vocabularyAnswer;
    const failedBefore = settled.failed.length;

    // Act
    const redrive = await runRedriveCli(stack().dataDir);
    const final = await waitUntilSettled(client, accepted, 45_000);

    // Assert
    expect(redrive.entriesReset).toBe(failedBefore);
    expect(redrive.messagesMoved).toBeGreaterThanOrEqual(failedBefore);
    expect(final.failed.map((entry) => entry.id)).toEqual([]);
    expect(final.done).toHaveLength(ENTRY_COUNT);
    expect(final.missing).toEqual([]);
    expect(final.duplicateTags).toEqual([]);
    expect(final.wrongTags).toEqual([]);
    await waitForQueueDrained(stack().ops, 20_000);
    expect(await peekJobs(stack().ops.sqsClient, stack().ops.dlqUrl)).toEqual([]);
    // Entries done before the redrive kept their first tags: the redrive only touched failed ones.
    const before = new Map(settled.done.map((entry) => [entry.id, entry.updatedAt]));
    const after = await settleReport(client, accepted);
    for (const entry of after.done) if (before.has(entry.id)) expect(entry.updatedAt).toBe(before.get(entry.id));
  }, 90_000);
});
