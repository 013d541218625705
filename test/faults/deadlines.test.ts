import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlineReserve } from '../../lambdas/tag-extraction/invocation-deadlines.js';
import { type Answer, type ModelServer, rateLimited } from '../../tools/tag-extraction/model-server/index.js';
import type { ApiClient } from '../support/api-client.js';
import { testEntries, vocabularyAnswer, QUICK_RETRIES } from '../support/entries.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { type AcceptedEntry, waitUntilSettled } from './support/settle.js';

/*
 * Every call ends before the function does: the local stack enforces the extraction function's
 * timeout like Lambda (an invocation that outlives it fails as a whole), shortened to 45 s here
 * (the shortest that leaves the model half of it) so its deadlines come within a test's patience. The model stalls mid-body on some entries'
 * first call and answers 429 with a retry-after longer than the function timeout on others'.
 * Every entry must still end done, the 429'd ones no sooner than their retry-after, and no
 * invocation may time out.
 */

const FUNCTION_TIMEOUT_SECONDS = 45;
/** Longer than the function timeout, so the SDK does not sleep through it inside a call. */
const RETRY_AFTER_SECONDS = 50;
const STALLING = 3;
const RATE_LIMITED = 3;

let model: ModelServer;
let test: TestStack;
let client: ApiClient;
const entries = testEntries(STALLING + RATE_LIMITED, 'deadlines');
const stalling = new Set(entries.slice(0, STALLING).map((entry) => entry.text));
const rateLimitedEntries = new Set(entries.slice(STALLING).map((entry) => entry.text));
/** When each entry's calls arrived, in order. */
const callTimes = new Map<string, number[]>();

/** First call: a stall after the headers or a long 429; every later call: the right answer. */
const faultyFirstCalls: Answer = (request) => {
  callTimes.set(request.entry, [...(callTimes.get(request.entry) ?? []), Date.now()]);
  if (request.call === 1 && stalling.has(request.entry)) return { fault: 'stall' };
  if (request.call === 1 && rateLimitedEntries.has(request.entry)) return rateLimited({ seconds: RETRY_AFTER_SECONDS });
  return vocabularyAnswer(request);
};

beforeAll(async () => {
  test = await startTestStack({
    model: { answer: faultyFirstCalls },
    env: {
      // Longer than the function: only the invocation's model deadline can end a stalled call.
      OPENAI_TIMEOUT_MS: '120000',
      EXTRACTION_TIMEOUT_SECONDS: String(FUNCTION_TIMEOUT_SECONDS),
      ...QUICK_RETRIES,
      // The reconciler must not re-send a job that is waiting out its retry-after.
      RECONCILE_GRACE_SECONDS: '300',
      VISIBILITY_TIMEOUT_SECONDS: String(6 * FUNCTION_TIMEOUT_SECONDS),
    },
  });
  model = test.model!;
  client = await test.client('deadlines-user');
}, 60_000);

afterAll(async () => {
  await test?.stop();
});

describe(`a model that stalls mid-body, and 429s with a retry-after longer than the ${FUNCTION_TIMEOUT_SECONDS} s function timeout`, () => {
  it('ends every entry done, none retried before its retry-after, with no invocation timed out', async () => {
    // Arrange
    const accepted: AcceptedEntry[] = [];
    for (const entry of entries) {
      const answer = await client.post(entry.text);
      expect(answer.status).toBe(202);
      accepted.push({ ...entry, id: answer.body.id as string });
    }

    // Act
    const settled = await waitUntilSettled(client, accepted, 90_000);

    // Assert
    expect(settled.done.map((entry) => entry.id).sort()).toEqual(accepted.map((entry) => entry.id).sort());
    expect(settled.wrongTags).toEqual([]);
    for (const text of rateLimitedEntries) {
      const [first, second] = callTimes.get(text)!;
      expect(second! - first!).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000);
    }
    for (const text of stalling) expect(model.requestsFor(text)).toBe(2);
    expect(test.logs.filter((line) => line.includes('timed out'))).toEqual([]);
    const batches = test.logs.filter((line) => /^batch \d+: /.test(line));
    expect(batches.length).toBeGreaterThan(0);
    const slowest = Math.max(...batches.map((line) => Number(/in (\d+) ms/.exec(line)?.[1] ?? 0)));
    expect(slowest).toBeLessThan(FUNCTION_TIMEOUT_SECONDS * 1000 - deadlineReserve(FUNCTION_TIMEOUT_SECONDS).responseMarginMs);
  }, 120_000);
});
