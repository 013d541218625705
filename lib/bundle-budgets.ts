/**
 * The largest handler bundle (`index.mjs`) each function may ship, in KiB: the infra tests fail a
 * synth that goes over it and `npm run bench` reports each bundle against it. 450 KiB of code
 * each (module init grows with it); the API also carries the OpenAPI document it serves (about
 * 20 KiB), the extraction the canary release's per-version metrics and dry-run guard. The
 * tech-stack aggregator was 818 KiB when it got its budget: the budget holds it there until it
 * is trimmed.
 */
export const BUNDLE_BUDGET_KIB = { api: 475, reconciler: 450, extraction: 455, aggregator: 830 } as const;
