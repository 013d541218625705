import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CDK_JSON_CONTEXT } from '../../../lib/shared/cdk-json-context.js';

// The flags `cdk init` writes for the aws-cdk-lib we pin: a first deploy without them would pin
// CDK's legacy behaviours for good (changing a flag later replaces resources).
const recommended: Record<string, unknown> = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8'),
);

describe('cdk.json feature flags', () => {
  it('sets every flag the pinned aws-cdk-lib recommends, to the recommended value', () => {
    const differing = Object.entries(recommended)
      .filter(([flag, value]) => JSON.stringify(CDK_JSON_CONTEXT[flag]) !== JSON.stringify(value))
      .map(([flag]) => flag);

    expect(differing).toEqual([]);
  });
});
