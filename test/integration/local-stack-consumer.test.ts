import { expect, it } from 'vitest';
import { QUEUE_SETTINGS } from '../../lambdas/contract/index.js';
import { useTestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait.js';

/*
 * The bench bills full batches by running the local stack's event source mapping with one
 * poller and a longer window (bench/cost.ts). Here: with those settings, entries POSTed one
 * after another fill one batch, and the batch goes as soon as it is full, not when the window
 * closes (the window is far longer than the test allows).
 */

const stack = useTestStack({
  model: { answer: () => ({ technologies: ['Django'] }) },
  consumer: { maxConcurrency: 1, maxBatchingWindowSeconds: 300 },
});

it('fills one batch from entries posted one after another, and sends it once full', async () => {
  // Arrange
  const client = await stack().client('full-batch-user');
  const ids: string[] = [];

  // Act
  for (let index = 0; index < QUEUE_SETTINGS.batchSize; index++) {
    ids.push((await client.post(`Entry ${index}: built with Django.`)).body.id as string);
  }
  const batchLines = await waitFor(
    async () => {
      const lines = stack().logs.filter((line) => /^batch \d+:/.test(line));
      return lines.length > 0 ? lines : undefined;
    },
    { timeoutMs: 20_000, what: 'the first batch to finish' },
  );

  // Assert
  expect(batchLines).toEqual([
    expect.stringMatching(new RegExp(`^batch 1: ${QUEUE_SETTINGS.batchSize} records, ${QUEUE_SETTINGS.batchSize} ok, 0 failed`)),
  ]);
  const entries = await Promise.all(ids.map((id) => client.get(id)));
  expect(entries.map((entry) => entry?.status)).toEqual(ids.map(() => 'done'));
});
