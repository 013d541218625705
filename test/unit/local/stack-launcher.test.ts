import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiEnvSchema } from '../../../lambdas/devlog-api/api/env.js';
import { ReconcilerEnvSchema } from '../../../lambdas/devlog-api/reconciler/env.js';
import { ExtractionEnvSchema } from '../../../lambdas/tag-extraction/env.js';
import { parseReadyBanner, readyBanner } from '../../../local/ready-banner.js';
import { LocalSettingsSchema } from '../../../local/settings.js';
import type { LocalStack } from '../../../local/stack.js';
import { childStackEnvironment } from '../../../local/stack-launcher.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the environment of a child stack', () => {
  // The names come from the schemas at test time: a setting added to one is checked here too.
  it.each([
    ['the local stack', LocalSettingsSchema.shape],
    ['the API function', ApiEnvSchema.shape],
    ['the reconciler', ReconcilerEnvSchema.shape],
    ['the extraction function', ExtractionEnvSchema.shape],
  ])("keeps every setting of %s in a developer's shell out of the child", (_, shape) => {
    // Arrange
    const names = Object.keys(shape);
    for (const name of names) vi.stubEnv(name, 'from-the-shell');

    // Act
    const env = childStackEnvironment();

    // Assert
    expect(names.filter((name) => name in env)).toEqual([]);
  });

  it("keeps the developer's NODE_OPTIONS out, passes the rest of the shell through, and sets what it is given", () => {
    vi.stubEnv('NODE_OPTIONS', '--inspect');
    vi.stubEnv('DATA_DIR', '/home/dev/.devstack');
    vi.stubEnv('SOME_UNRELATED_VARIABLE', 'kept');

    const env = childStackEnvironment({ DATA_DIR: '/tmp/test-stack', PORT: '0' });

    expect(env.NODE_OPTIONS).toBeUndefined();
    expect(env.SOME_UNRELATED_VARIABLE).toBe('kept');
    expect(env.PATH).toBe(process.env.PATH);
    expect(env).toMatchObject({ DATA_DIR: '/tmp/test-stack', PORT: '0' });
  });
});

describe('the ready banner', () => {
  const stack = {
    apiUrl: 'http://127.0.0.1:43123',
    webUrl: 'http://127.0.0.1:43123/',
    startupMs: 1_940,
    devToken: 'eyJ.dev.token',
    dataDir: '/tmp/devstack',
    extractor: { description: 'offline stand-in', check: 'model ok' },
  } as LocalStack;

  it('gives the launcher the API URL, the token and the startup time `npm start` printed', () => {
    expect(parseReadyBanner(`some log line\n${readyBanner(stack)}`)).toEqual({
      apiUrl: 'http://127.0.0.1:43123',
      token: 'eyJ.dev.token',
      startupMs: 1_900,
    });
  });

  it('is not ready while only part of the banner has been printed', () => {
    const banner = readyBanner(stack);

    expect(parseReadyBanner(banner.slice(0, banner.indexOf('Logs:')))).toBeUndefined();
  });
});
