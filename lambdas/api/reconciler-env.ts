import * as z from 'zod';

const ReconcilerEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  QUEUE_URL: z.url(),
  RECONCILE_GRACE_SECONDS: z.coerce.number().int().positive().default(900),
  RECONCILE_MAX_ENTRIES: z.coerce.number().int().positive().default(500),
  AWS_ENDPOINT_URL_SQS: z.url().optional(),
});

/** The reconciler's configuration. */
export type ReconcilerEnv = z.infer<typeof ReconcilerEnvSchema>;

/** Reads and validates the reconciler's environment once, at cold start. */
export function readReconcilerEnv(env: NodeJS.ProcessEnv): ReconcilerEnv {
  return ReconcilerEnvSchema.parse(env);
}
