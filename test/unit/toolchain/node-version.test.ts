import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

/*
 * The Lambdas run Node 24, and so must everything npm runs here, even on a machine whose own
 * Node is older: the pinned `node` devDependency puts Node 24 first on every npm script's PATH.
 */

const pinned = JSON.parse(readFileSync('package.json', 'utf8')).devDependencies.node as string;

it('runs the tests on the pinned Node 24, the runtime the Lambdas use', () => {
  expect(pinned).toMatch(/^24\.\d+\.\d+$/);
  expect(process.version).toBe(`v${pinned}`);
  expect(readFileSync('.nvmrc', 'utf8').trim()).toBe(pinned.split('.')[0]);
});

it('gives child processes that start `node`, `tsx` or the CDK CLI by name the same Node', () => {
  const viaPath = execFileSync('node', ['-p', 'process.version'], { encoding: 'utf8' }).trim();
  const viaTsx = execFileSync('npx', ['--no-install', 'tsx', '-e', 'console.log(process.version)'], { encoding: 'utf8' }).trim();
  // What `npx cdk ...` and cdk.json's `npx tsx bin/app.ts` resolve `node` to.
  const viaNpmExec = execFileSync('npm', ['exec', '--no', '--', 'node', '-v'], { encoding: 'utf8' }).trim();

  expect(viaPath).toBe(`v${pinned}`);
  expect(viaTsx).toBe(`v${pinned}`);
  expect(viaNpmExec).toBe(`v${pinned}`);
});
