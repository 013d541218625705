import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../../tools/tag-extraction/model-server/index.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait.js';

/*
 * The handlers are built by factories from each stack's own configuration, so two local stacks
 * run in one process, each with its own emulators, port and model, and neither writes
 * process.env.
 */

let models: ModelServer[] = [];
let stacks: TestStack[] = [];
const envBefore = { ...process.env };

beforeAll(async () => {
  models = await Promise.all([
    startModelServer({ answer: () => ({ technologies: ['Django'] }) }),
    startModelServer({ answer: () => ({ technologies: ['Kafka'] }) }),
  ]);
  stacks = await Promise.all(models.map((model) => startTestStack({ env: { OPENAI_BASE_URL: model.baseUrl } })));
});

afterAll(async () => {
  await Promise.allSettled([...stacks.map((stack) => stack.stop()), ...models.map((model) => model.stop())]);
});

it('runs two stacks in one process, each tagging its own entries with its own model', async () => {
  // Arrange
  const clients = await Promise.all(stacks.map((stack) => stack.client('two-stacks-user')));

  // Act
  const posted = await Promise.all(clients.map((client) => client.post('Built with Django and Kafka.')));
  const done = await Promise.all(
    clients.map((client, index) =>
      waitFor(
        async () => {
          const entry = await client.get(posted[index]?.body.id as string);
          return entry?.status === 'done' ? entry : undefined;
        },
        { timeoutMs: 20_000, what: `stack ${index}'s entry to be tagged` },
      ),
    ),
  );

  // Assert
  expect(new Set(stacks.map((stack) => stack.apiUrl)).size).toBe(2);
  expect(done.map((entry) => entry.tags.map((tag) => tag.value))).toEqual([['Django'], ['Kafka']]);
  for (const client of clients) expect(await client.listAll()).toHaveLength(1);
  expect(process.env).toEqual(envBefore);
});
