import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_SETTINGS } from '../../lib/shared/resource-settings.js';
import { synthStage } from './synth.js';

/** The bench bills what lib/shared/resource-settings.ts says; these keep the templates saying the same. */
describe('the billed settings of the synthesized functions', () => {
  let stage: ReturnType<typeof synthStage>;
  beforeAll(() => {
    stage = synthStage();
  }, 300_000);

  it.each([
    ['api', 'ApiFunction'],
    ['reconciler', 'ReconcilerFunction'],
    ['aggregator', 'TechStackAggregatorFunction'],
    ['extraction', 'ExtractionFunction'],
    ['entryEvents', 'EntryEventsFunction'],
  ] as const)('configures the %s function with the memory and tracing the bill uses', (name, logicalIdPrefix) => {
    const functions = { ...stage.api.findResources('AWS::Lambda::Function'), ...stage.extraction.findResources('AWS::Lambda::Function') };
    const [, fn] = Object.entries(functions).find(([logicalId]) => logicalId.startsWith(logicalIdPrefix)) ?? [];
    expect(fn?.Properties.MemorySize).toBe(FUNCTION_SETTINGS[name].memoryMb);
    expect(fn?.Properties.TracingConfig.Mode).toBe(FUNCTION_SETTINGS[name].tracing === 'active' ? 'Active' : 'PassThrough');
  });
});
