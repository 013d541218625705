/**
 * The largest handler bundle (`index.mjs`) each function may ship, in KiB: the infra tests fail a
 * synth that goes over it and `npm run bench` reports each bundle against it. 450 KiB of code
 * each (module init grows with it); the API also carries the OpenAPI document it serves (about
 * 31 KiB since ETag, If-Match and the wait cap; it was 482 KiB with a 28 KiB document before
 * them, 490 KiB after), the extraction the canary release's per-version metrics and dry-run guard.
 */
export const BUNDLE_BUDGET_KIB = { api: 485, reconciler: 450, extraction: 455, aggregator: 830 } as const;
