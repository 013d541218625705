import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, inject, it } from 'vitest';
import setup, { testTempDir } from '../../support/temp-root.js';

it('gives every test run one temp root and removes it, with everything inside, at teardown', async () => {
  // Arrange
  let provided = '';
  const teardown = await setup({
    provide: (key, value) => {
      if (key === 'testTempRoot') provided = value;
    },
  });
  writeFileSync(join(provided, 'template.json'), '{}');

  // Act
  await teardown();

  // Assert
  expect(dirname(provided)).toBe(tmpdir());
  expect(existsSync(provided)).toBe(false);
});

it("creates test folders inside the run's temp root", () => {
  expect(dirname(testTempDir('synth-'))).toBe(inject('testTempRoot'));
});
