import * as z from 'zod/mini';

const ApiEnvSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  QUEUE_URL: z.url(),
  /** Set only by the local stack: the SQS emulator's endpoint (queue URLs name a host that does not resolve). */
  AWS_ENDPOINT_URL_SQS: z.optional(z.url()),
});

/** The API function's configuration. */
export type ApiEnv = z.infer<typeof ApiEnvSchema>;

/** Reads and validates the API function's environment once, at cold start. */
export function readApiEnv(env: NodeJS.ProcessEnv): ApiEnv {
  return ApiEnvSchema.parse(env);
}
