import * as z from 'zod/mini';
import { DEFAULT_DAILY_ENTRY_QUOTA } from '../domain/daily-quota.js';
import { DEFAULT_MAX_OPEN_WAITS_PER_USER } from '../domain/wait-for-entry.js';

/** The API function's settings: every variable it reads from the environment. */
export const ApiEnvSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  QUEUE_URL: z.url(),
  /** The tags table: the tech-stack totals (and the tag index) the aggregator keeps. */
  TAGS_TABLE_NAME: z.string().check(z.minLength(1)),
  /** SSM parameter in which the extraction stack publishes the job message versions it accepts; unset locally. */
  CONSUMER_VERSIONS_PARAMETER: z.optional(z.string().check(z.minLength(1))),
  /** Entries each user may create per UTC day (CDK context `dailyEntryQuota`). */
  DAILY_ENTRY_QUOTA: z._default(z.coerce.number().check(z.int(), z.positive()), DEFAULT_DAILY_ENTRY_QUOTA),
  /** `Prefer: wait` GETs each user may hold open at once (CDK context `maxOpenWaitsPerUser`). */
  MAX_OPEN_WAITS_PER_USER: z._default(z.coerce.number().check(z.int(), z.positive()), DEFAULT_MAX_OPEN_WAITS_PER_USER),
});

/** The API function's configuration. */
export type ApiEnv = z.infer<typeof ApiEnvSchema>;

/** Reads and validates the API function's environment once, at cold start. */
export function readApiEnv(env: NodeJS.ProcessEnv): ApiEnv {
  return ApiEnvSchema.parse(env);
}
