/*
 * The deployed settings that decide what the functions cost, in one place: the stacks build the
 * resources from them and the bench's bill (bench/bill.ts) reads the same values. Plain data, no
 * CDK imports, so the local stack and the bench load it cheaply.
 */

/** The functions that run per entry, by the names the local stack gives them. */
export type BilledFunction = 'api' | 'reconciler' | 'extraction' | 'aggregator' | 'entryEvents';

/** How each function is configured where it bills: memory (GB-seconds) and tracing (X-Ray traces). */
export interface FunctionSettings {
  memoryMb: number;
  /**
   * `active`: Lambda samples invocations for X-Ray itself (1 a second and 5% of the rest, not
   * configurable for Lambda); `pass-through`: traced only when the caller's trace header says so.
   */
  tracing: 'active' | 'pass-through';
}

/**
 * Memory and tracing per function. Lambda samples one invocation a second and 5% of the rest,
 * per function: at 1M entries a month (0.8 API requests a second) that is nearly every
 * invocation, at $5 per million traces: $12 per 1M entries for the API in the metered bench,
 * $1.75 for the events, and for the extraction $0.50 at full batches but $5 at low traffic,
 * where every entry is a batch. Their callers (the HTTP API, which does not trace; the stream;
 * the queue, whose messages the untraced API sends) send no trace header, so `pass-through`
 * records none of them; the functions carry no SDK instrumentation, so their traces held only
 * Lambda's own segments, which the access log and Lambda's metrics (duration, errors) also
 * give. The reconciler, invoked every few minutes, keeps active tracing.
 *
 * Memory: every function waits on DynamoDB, SQS, EventBridge or the model far longer than it
 * computes, and Lambda bills the wait at the configured memory (a `Prefer: wait` GET holds the
 * API for the seconds the tags take). So the consumers run at 256 MB and the API, whose POST is
 * on a user's path and whose cold start grows as CPU shrinks, at 512 MB. The bench measures
 * durations at any memory alike (CPU here is not Lambda's share); see docs/benchmarks.md.
 */
export const FUNCTION_SETTINGS: Record<BilledFunction, FunctionSettings> = {
  api: { memoryMb: 512, tracing: 'pass-through' },
  reconciler: { memoryMb: 512, tracing: 'active' },
  extraction: { memoryMb: 256, tracing: 'pass-through' },
  aggregator: { memoryMb: 256, tracing: 'pass-through' },
  // The entry events publisher (lambdas/devlog-api/entry-events), invoked per stream batch of done, failed or removed entries.
  entryEvents: { memoryMb: 256, tracing: 'pass-through' },
};

/**
 * Lambda's own log events (platform.start, platform.report ...) go to each function's log group
 * at this level; `WARN` keeps only platform errors (timeouts, crashes).
 */
export const SYSTEM_LOG_LEVEL: 'INFO' | 'WARN' = 'INFO';

/** The non-key attributes the entries table's indexes project (the pending and failed index). */
export const ENTRY_INDEX_PROJECTED_ATTRIBUTES = ['id', 'ownerId'] as const;

/** The fields of the HTTP API's access log line, in API Gateway's `$context` variables. */
export const ACCESS_LOG_FORMAT: Record<string, string> = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  sub: '$context.authorizer.claims.sub',
  method: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
};
