import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_FUNCTION_TIMEOUTS_SECONDS } from '../../lambdas/devlog-api/function-timeouts.js';
import { awsCallBudget } from '../../lambdas/contract/index.js';
import type { StackFaults } from '../support/test-stack.js';
import type { ApiClient } from '../support/api-client.js';
import { testEntries, vocabularyAnswer } from '../support/entries.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { type AcceptedEntry, waitUntilSettled } from './support/settle.js';

/*
 * A hanging SQS during POST: the API function's SQS client gives up within its budget (sized
 * to the API function's timeout), so POST answers 202 in bounded time instead of running into
 * the function timeout, and the reconciler sends the job once SQS answers again.
 */

const SEND_MESSAGE = 'AmazonSQS.SendMessage';
/** The slowest a POST may be: one SendMessage at its worst, plus the rest of the request on a busy machine; well under the function timeout. */
const POST_BOUND_MS = awsCallBudget(WEB_FUNCTION_TIMEOUTS_SECONDS.api).worstCaseMs + 2_000;

let test: TestStack;
let faults: StackFaults;
let client: ApiClient;

beforeAll(async () => {
  test = await startTestStack({
    faultInjection: true,
    model: { answer: vocabularyAnswer },
    env: {
      RECONCILE_INTERVAL_SECONDS: '1',
      RECONCILE_GRACE_SECONDS: '2',
    },
  });
  faults = test.faults!;
  client = await test.client('hanging-sqs-user');
}, 60_000);

afterAll(async () => {
  await test?.stop();
});

describe('while SQS hangs on SendMessage', () => {
  it(`answers POST with 202 within ${POST_BOUND_MS} ms, and the reconciler gets every entry done once SQS answers`, async () => {
    // Arrange
    faults.sqs.failRequests([{ target: SEND_MESSAGE, action: { kind: 'hang' } }]);
    const entries = testEntries(3, 'hanging-sqs');

    // Act
    const answers = await Promise.all(entries.map((entry) => client.post(entry.text)));
    const hungSends = faults.sqs.stats.failed[SEND_MESSAGE] ?? 0;
    await faults.sqs.heal();
    const accepted: AcceptedEntry[] = entries.map((entry, index) => ({ ...entry, id: answers[index]!.body.id as string }));
    const settled = await waitUntilSettled(client, accepted, 30_000);

    // Assert
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      expect(answer.ms).toBeLessThan(POST_BOUND_MS);
    }
    expect(hungSends).toBeGreaterThanOrEqual(entries.length);
    expect(settled.done).toHaveLength(entries.length);
    expect(settled.wrongTags).toEqual([]);
  }, 60_000);
});
