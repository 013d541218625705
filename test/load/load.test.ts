import { availableParallelism } from 'node:os';
import { expect, it } from 'vitest';
import { waitUntilSettled, type AcceptedEntry } from '../faults/support/settle.js';
import { testEntries, vocabularyAnswer } from '../support/entries.js';
import { useTestStack } from '../support/test-stack.js';
import { percentile } from '../../bench/stats.js';
import { mapConcurrently } from '../support/wait.js';

/*
 * A bounded load test of the local stack: a few hundred POSTs at concurrency 16 against the
 * API Gateway stand-in and the real handlers, with a fast OpenAI-compatible model. No error
 * is allowed (every POST 202) and every entry must end done, tagged once. It prints the rate
 * and latencies it achieved with the conditions; they are this machine's, not a benchmark
 * (npm run bench measures).
 */

const ENTRY_COUNT = 300;
const CONCURRENCY = 16;
/** Users the POSTs are spread over, round robin. */
const USERS = 4;
const MODEL_LATENCY_MS = 5;

const stack = useTestStack({ model: { answer: vocabularyAnswer, latencyMs: MODEL_LATENCY_MS } });

it(`accepts ${ENTRY_COUNT} POSTs at concurrency ${CONCURRENCY} without an error, and tags every entry once`, async () => {
  // Arrange: several users, as real traffic is; each user's daily quota is one counter item, and
  // the local DynamoDB (dynalite) serializes writes to an item far below DynamoDB's per-item rate
  const clients = await Promise.all(Array.from({ length: USERS }, (_, user) => stack().client(`load-user-${user}`)));
  const entries = testEntries(ENTRY_COUNT, 'load');

  // Act
  const started = performance.now();
  const answers = await mapConcurrently(entries, CONCURRENCY, async (entry, index) => {
    const answer = await clients[index % USERS]!.post(entry.text);
    return {
      entry,
      user: index % USERS,
      status: answer.status,
      id: answer.body.id as string | undefined,
      ms: answer.ms,
      body: answer.body,
    };
  });
  const postSeconds = (performance.now() - started) / 1000;
  const reports = await Promise.all(
    clients.map((client, user) =>
      waitUntilSettled(
        client,
        answers
          .filter((answer) => answer.user === user && answer.status === 202)
          .map((answer): AcceptedEntry => ({ ...answer.entry, id: answer.id! })),
        60_000,
      ),
    ),
  );
  const settled = {
    done: reports.flatMap((report) => report.done),
    missing: reports.flatMap((report) => report.missing),
    duplicateTags: reports.flatMap((report) => report.duplicateTags),
    wrongTags: reports.flatMap((report) => report.wrongTags),
  };
  const settleSeconds = (performance.now() - started) / 1000;

  // Assert
  expect(answers.filter((answer) => answer.status !== 202).map((answer) => `${answer.status} ${JSON.stringify(answer.body)}`)).toEqual([]);
  expect(settled.done).toHaveLength(ENTRY_COUNT);
  expect(settled.missing).toEqual([]);
  expect(settled.duplicateTags).toEqual([]);
  expect(settled.wrongTags).toEqual([]);
  expect(stack().model?.requests.length).toBe(ENTRY_COUNT);
  const latencies = answers.map((answer) => answer.ms);
  console.log(
    `load: ${ENTRY_COUNT} POSTs at concurrency ${CONCURRENCY} in ${postSeconds.toFixed(1)} s = ${(ENTRY_COUNT / postSeconds).toFixed(0)} req/s, ` +
      `latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms; ` +
      `all tagged ${settleSeconds.toFixed(1)} s after the first POST (${(ENTRY_COUNT / settleSeconds).toFixed(0)} entries/s). ` +
      `Conditions: ${USERS} users, local stack in the test process, model answering in ${MODEL_LATENCY_MS} ms, Node ${process.versions.node}, ${availableParallelism()} cores (under npm test, other test files share them).`,
  );
}, 120_000);
