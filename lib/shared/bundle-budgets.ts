/**
 * The largest handler bundle (`index.mjs`) each function may ship, in KiB: the infra tests fail a
 * synth that goes over it and `npm run bench` reports each bundle against it. 450 KiB of code
 * each (module init grows with it); the API also carries the OpenAPI document it serves (about
 * 34 KiB since it states every request rule, ETag, If-Match and the wait cap: 485 KiB in all),
 * the extraction the canary release's per-version metrics and dry-run guard, the contract's
 * failure codes and entry events and the request builder it shares with the backfill (458 KiB).
 * The tech-stack aggregator was 818 KiB when it got its budget: the budget holds it there until
 * it is trimmed.
 */
export const BUNDLE_BUDGET_KIB = { api: 490, reconciler: 450, extraction: 460, aggregator: 830 } as const;
