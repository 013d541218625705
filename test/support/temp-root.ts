import { mkdtempSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  interface ProvidedContext {
    /** The folder of this test run's temporary files; removed when the run ends. */
    testTempRoot: string;
  }
}

/**
 * Vitest global setup: one folder in the system temp folder for the whole run, removed by the
 * teardown, which vitest runs whether tests passed or failed. Synth outputs (several MB each)
 * go there, so `npm test` leaves nothing behind.
 */
export default async function setup(project: Pick<TestProject, 'provide'>): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'devlog-test-run-'));
  project.provide('testTempRoot', root);
  return () => rm(root, { recursive: true, force: true });
}

/** A new folder inside this run's temp root (see setup). */
export function testTempDir(prefix: string): string {
  return mkdtempSync(join(inject('testTempRoot'), prefix));
}
