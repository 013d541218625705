import * as z from 'zod/mini';
import { EXTRACTION_SERVICE_VERSION } from '../version.js';
import { DEFAULT_APPLY_PER_SECOND } from './collect-batches.js';

const BackfillCollectorEnvSchema = z.object({
  /** The entries table, whose tags it writes as the extraction does. */
  TABLE_NAME: z.string().check(z.minLength(1)),
  /** The backfill ledger: the batches `npm run backfill` submitted. */
  BACKFILL_TABLE_NAME: z.string().check(z.minLength(1)),
  /** Secrets Manager id of the OpenAI API key (the extraction's). */
  OPENAI_SECRET_ID: z.string().check(z.minLength(1)),
  OPENAI_BASE_URL: z.optional(z.url()),
  /** Answers applied per second at most. */
  BACKFILL_APPLY_PER_SECOND: z._default(z.coerce.number().check(z.positive()), DEFAULT_APPLY_PER_SECOND),
  /** Lambda timeout of this function: its run stops starting chunks a margin before it. */
  FUNCTION_TIMEOUT_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 900),
  /** The extraction service's semver, stamped on every entry it tags. */
  SERVICE_VERSION: z._default(z.string().check(z.regex(/^\d+\.\d+\.\d+/)), EXTRACTION_SERVICE_VERSION),
});

/** The backfill collector's configuration. */
export type BackfillCollectorEnv = z.infer<typeof BackfillCollectorEnvSchema>;

/** Reads and validates the collector's environment once, at cold start. */
export function readBackfillCollectorEnv(env: NodeJS.ProcessEnv): BackfillCollectorEnv {
  return BackfillCollectorEnvSchema.parse(env);
}
