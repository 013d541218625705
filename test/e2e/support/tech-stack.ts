import { expect } from 'vitest';
import type { ApiClient, TechStackPage } from '../../support/api-client.js';
import { waitFor } from '../../support/wait.js';

/** Waits until the caller's tech stack is exactly `expected` (value to count, most used first), and returns it. */
export async function waitForCounts(client: ApiClient, expected: Record<string, number>): Promise<TechStackPage> {
  const wanted = JSON.stringify(Object.entries(expected));
  let last = '';
  return waitFor(
    async () => {
      const { status, body } = await client.techStack();
      expect(status).toBe(200);
      last = JSON.stringify((body.items ?? []).map(({ value, count }) => [value, count]));
      return last === wanted ? (body as TechStackPage) : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 25, what: `tech stack ${wanted}`, describe: () => last },
  );
}
