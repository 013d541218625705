import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONTRACT_VERSION } from '../../../lambdas/contract/index.js';

const SEMVER = /^\d+\.\d+\.\d+$/;

describe('contract version', () => {
  it('is semver and the newest entry of the contract CHANGELOG', async () => {
    // Arrange
    const changelog = await readFile(new URL('../../../lambdas/contract/CHANGELOG.md', import.meta.url), 'utf8');

    // Act
    const released = [...changelog.matchAll(/^## (\S+)$/gm)].map((match) => match[1]);

    // Assert
    expect(CONTRACT_VERSION).toMatch(SEMVER);
    expect(released[0]).toBe(CONTRACT_VERSION);
    expect(new Set(released).size).toBe(released.length);
  });
});
