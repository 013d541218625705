import { beforeAll, describe, expect, it } from 'vitest';
import { receiveSendDelete } from '../../ops/dlq-movers.js';
import { resetFailedEntries } from '../../ops/reset-failed-entries.js';
import type { ApiClient } from '../support/api-client.js';
import { testEntries, type TestEntry } from '../support/entries.js';
import { useFaultSuiteStack } from './support/fault-suite-stack.js';
import { peekJobs } from '../support/queues.js';
import { mapConcurrently, waitFor } from '../support/wait.js';
import { waitForJobsInDlq, waitForQueueDrained, waitUntilSettled, type AcceptedEntry } from './support/settle.js';
import type { ConnectionMode } from '../support/fault-proxy.js';
import type { StackFaults } from '../support/test-stack.js';

/*
 * "Nothing accepted is ever lost", against infrastructure faults: the handlers reach DynamoDB
 * and SQS through fault proxies (startTestStack({ faultInjection: true })) while the model
 * works. First SQS refuses, then resets, connections in the middle of a stream of POSTs: the
 * API must still answer 202 and the reconciler must send the jobs the API could not. Then
 * DynamoDB fails every UpdateItem (the tag write) for a while: the extraction must retry
 * through the queue. Every accepted entry must end done (or failed with its job in the DLQ,
 * which a redrive fixes), tagged once.
 */

const UPDATE_ITEM = 'DynamoDB_20120810.UpdateItem';
const PER_PHASE = 80;

const stack = useFaultSuiteStack(
  10,
  {
    OPENAI_TIMEOUT_MS: '2000',
    // The reconciler heals entries whose job was never sent: look often, and soon.
    RECONCILE_INTERVAL_SECONDS: '1',
    RECONCILE_GRACE_SECONDS: '3',
    VISIBILITY_TIMEOUT_SECONDS: '15',
  },
  { faultInjection: true },
);
let faults: StackFaults;
let client: ApiClient;
const accepted: AcceptedEntry[] = [];

beforeAll(async () => {
  faults = stack().faults!;
  client = await stack().client('infrastructure-faults-user');
});

/** POSTs the entries in order, switching the SQS proxy's connection mode before the numbered POSTs. */
async function postWithSqsOutage(entries: TestEntry[], switches: Map<number, ConnectionMode>) {
  let index = 0;
  return mapConcurrently(entries, 4, async (entry) => {
    const mode = switches.get(index++);
    if (mode) await faults.sqs.setConnectionMode(mode);
    const answer = await client.post(entry.text);
    if (answer.status === 202) accepted.push({ ...entry, id: answer.body.id as string });
    return answer;
  });
}

describe('SQS unavailable during POSTs', () => {
  it('answers 202 to every POST while SQS refuses and then resets connections, and the reconciler gets every entry tagged', async () => {
    // Arrange
    const entries = testEntries(PER_PHASE, 'sqs-outage');
    const switches = new Map<number, ConnectionMode>([
      [10, 'refuse'],
      [35, 'reset'],
      [60, 'accept'],
    ]);

    // Act
    const answers = await postWithSqsOutage(entries, switches);
    await faults.sqs.heal();
    const settled = await waitUntilSettled(client, accepted, 45_000);

    // Assert
    expect(answers.map((answer) => answer.status).filter((status) => status !== 202)).toEqual([]);
    expect(faults.sqs.stats.connectionsReset).toBeGreaterThan(0);
    const resent = stack().logs.filter((line) => /reconciler: re-sent [1-9]/.test(line));
    expect(resent.length).toBeGreaterThan(0);
    expect(settled.missing).toEqual([]);
    expect(settled.pending).toEqual([]);
    expect(settled.failed).toEqual([]);
    expect(settled.done).toHaveLength(PER_PHASE);
    expect(settled.duplicateTags).toEqual([]);
    expect(settled.wrongTags).toEqual([]);
  }, 90_000);
});

describe('DynamoDB failing the tag write', () => {
  it('retries every extraction whose UpdateItem failed and settles every entry, tagged once', async () => {
    // Arrange
    const entries = testEntries(PER_PHASE, 'ddb-faults');
    // Entry items only: the API's quota counter is an UpdateItem too, and must go through.
    faults.dynamoDb.failRequests([
      { target: UPDATE_ITEM, bodyIncludes: '"ENTRY#', action: { kind: 'error', status: 500, errorType: 'InternalServerError' } },
    ]);
    const failedBefore = faults.dynamoDb.stats.failed[UPDATE_ITEM] ?? 0;

    // Act: the API's entry writes are PutItems and go through; every tag write fails until healed
    const answers = await mapConcurrently(entries, 4, async (entry) => {
      const answer = await client.post(entry.text);
      if (answer.status === 202) accepted.push({ ...entry, id: answer.body.id as string });
      return answer;
    });
    await waitFor(() => ((faults.dynamoDb.stats.failed[UPDATE_ITEM] ?? 0) - failedBefore >= 3 * PER_PHASE ? true : undefined), {
      timeoutMs: 30_000,
      what: 'tag writes to fail',
      describe: () => `${(faults.dynamoDb.stats.failed[UPDATE_ITEM] ?? 0) - failedBefore} UpdateItems failed`,
    });
    await faults.dynamoDb.heal();
    const phase = accepted.slice(-PER_PHASE);
    const settled = await waitUntilSettled(client, phase, 45_000);

    // Assert
    expect(answers.map((answer) => answer.status).filter((status) => status !== 202)).toEqual([]);
    expect(settled.missing).toEqual([]);
    expect(settled.pending).toEqual([]);
    expect(settled.done.length + settled.failed.length).toBe(PER_PHASE);
    expect(settled.duplicateTags).toEqual([]);
    expect(settled.wrongTags).toEqual([]);
  }, 90_000);
});

describe('after the faults', () => {
  it("has every failed entry's job in the DLQ, and a redrive leaves all entries done", async () => {
    // Arrange
    await waitForQueueDrained(stack().ops, 30_000);
    const before = await waitUntilSettled(client, accepted, 10_000);
    await waitForJobsInDlq(
      stack().ops,
      before.failed.map((entry) => entry.id),
      20_000,
    );

    // Act: what `npm run redrive -- --local` runs
    const reset = await resetFailedEntries(stack().ops.documentClient, stack().ops.tableName, new Date());
    await receiveSendDelete(stack().ops.sqsClient, stack().ops.dlqUrl, stack().ops.queueUrl)(() => {});
    const after = await waitUntilSettled(client, accepted, 30_000);

    // Assert
    expect(reset).toBe(before.failed.length);
    expect(after.missing).toEqual([]);
    expect(after.unexpected).toEqual([]);
    expect(after.done).toHaveLength(accepted.length);
    expect(accepted.length).toBeGreaterThanOrEqual(150);
    expect(after.duplicateTags).toEqual([]);
    expect(after.wrongTags).toEqual([]);
    await waitForQueueDrained(stack().ops, 20_000);
    expect(await peekJobs(stack().ops.sqsClient, stack().ops.dlqUrl)).toEqual([]);
  }, 90_000);
});
