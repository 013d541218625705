import * as z from 'zod/mini';
import { deployedReconcileGraceSeconds } from '../../contract/index.js';

/** The reconciler's settings: every variable it reads from the environment. */
export const ReconcilerEnvSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  QUEUE_URL: z.url(),
  /** SSM parameter in which the extraction stack publishes the job message versions it accepts; unset locally. */
  CONSUMER_VERSIONS_PARAMETER: z.optional(z.string().check(z.minLength(1))),
  RECONCILE_GRACE_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), deployedReconcileGraceSeconds()),
  RECONCILE_MAX_ENTRIES: z._default(z.coerce.number().check(z.int(), z.positive()), 500),
});

/** The reconciler's configuration. */
export type ReconcilerEnv = z.infer<typeof ReconcilerEnvSchema>;

/** Reads and validates the reconciler's environment once, at cold start. */
export function readReconcilerEnv(env: NodeJS.ProcessEnv): ReconcilerEnv {
  return ReconcilerEnvSchema.parse(env);
}
