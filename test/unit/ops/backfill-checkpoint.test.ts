import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { checkpointPath } from '../../../ops/backfill-checkpoint.js';

const since = new Date('2026-01-01T00:00:00Z');
const repoRoot = path.resolve(import.meta.dirname, '../../..');

it("keeps a local backfill's checkpoint inside the local stack's DATA_DIR", () => {
  expect(checkpointPath({ localDataDir: '.devstack', since, promptVersion: 2 }, '/repo')).toBe(
    '/repo/.devstack/backfill-local-2026-01-01-v2.json',
  );
});

it("keeps a stage backfill's checkpoint in a folder git ignores, not loose in the repo root", () => {
  // Act
  const file = checkpointPath({ stage: 'prod', since, promptVersion: 3 }, repoRoot);

  // Assert
  expect(path.relative(repoRoot, file)).toBe(path.join('.backfill', 'backfill-prod-2026-01-01-v3.json'));
  expect(execFileSync('git', ['check-ignore', path.relative(repoRoot, file)], { cwd: repoRoot, encoding: 'utf8' }).trim()).toBe(
    path.relative(repoRoot, file),
  );
});
