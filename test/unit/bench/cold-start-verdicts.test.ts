import { expect, it } from 'vitest';
import { coldStartVerdicts, type FunctionColdStart } from '../../../bench/cold-start.js';
import { BUNDLE_BUDGET_KIB } from '../../../lib/shared/bundle-budgets.js';

const measured = (name: FunctionColdStart['name'], bundleKib: number): FunctionColdStart => ({
  name,
  assetDir: `asset.${name}`,
  bundleBytes: bundleKib * 1024,
  memoryMb: 512,
  initMedianMs: 100,
  initSamplesMs: [100],
  initRatio: 1,
  pairedRatioMedian: 1,
  bannerMatches: true,
});

it("judges each bundle against its own function's budget, the one the infra tests enforce", () => {
  const verdicts = coldStartVerdicts({
    functions: [measured('api', 471.3), measured('reconciler', 451), measured('extraction', 452.3)],
    floor: { initMedianMs: 100, bundleBytes: 1, initSamplesMs: [100] },
  });

  expect(verdicts.filter((verdict) => verdict.name.includes('index.mjs')).map(({ name, pass }) => [name, pass])).toEqual([
    [`api index.mjs <= ${BUNDLE_BUDGET_KIB.api} KiB`, true],
    [`reconciler index.mjs <= ${BUNDLE_BUDGET_KIB.reconciler} KiB`, false],
    [`extraction index.mjs <= ${BUNDLE_BUDGET_KIB.extraction} KiB`, true],
  ]);
});
