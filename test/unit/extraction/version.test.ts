import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { EXTRACTION_SERVICE_VERSION } from '../../../lambdas/tag-extraction/version.js';

describe('extraction service version', () => {
  it('is semver and the newest entry of the service CHANGELOG', async () => {
    // Arrange
    const changelog = await readFile(new URL('../../../lambdas/tag-extraction/CHANGELOG.md', import.meta.url), 'utf8');

    // Act
    const released = [...changelog.matchAll(/^## (\S+)$/gm)].map((match) => match[1]);

    // Assert
    expect(EXTRACTION_SERVICE_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(released[0]).toBe(EXTRACTION_SERVICE_VERSION);
    expect(new Set(released).size).toBe(released.length);
  });
});
