import * as z from 'zod/mini';
import { CONSUMER_SETTINGS } from '../contract/index.js';
import { deadlineReserve } from './invocation-deadlines.js';
import { EXTRACTION_SERVICE_VERSION } from './version.js';
import {
  DEFAULT_OPENAI_MODEL,
  DEFAULT_REASONING_EFFORT,
  DEFAULT_SERVICE_TIER,
  parseModelList,
  REASONING_EFFORTS,
  SERVICE_TIERS,
} from './model-settings.js';
import { LATEST_PROMPT_VERSION, PROMPTS } from './prompts.js';

const positiveInt = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);
const positive = (fallback: number) => z._default(z.coerce.number().check(z.positive()), fallback);

/** The extraction function's settings: every variable it reads from the environment. */
export const ExtractionEnvSchema = z
  .object({
    TABLE_NAME: z.string().check(z.minLength(1)),
    QUEUE_URL: z.url(),
    /** Secrets Manager id of the OpenAI API key (a plain string secret). */
    OPENAI_SECRET_ID: z.string().check(z.minLength(1)),
    /** Any OpenAI-compatible server (Azure OpenAI, vLLM, Ollama, the local stand-in). */
    OPENAI_BASE_URL: z.optional(z.url()),
    OPENAI_MODEL: z._default(z.string().check(z.minLength(1)), DEFAULT_OPENAI_MODEL),
    /** Comma-separated models tried in order when the configured one is gone (404 model_not_found, 410, deprecated). */
    OPENAI_FALLBACK_MODELS: z.pipe(z.optional(z.string()), z.transform(parseModelList)),
    /** `reasoning_effort` sent to reasoning models. */
    OPENAI_REASONING_EFFORT: z._default(z.enum(REASONING_EFFORTS), DEFAULT_REASONING_EFFORT),
    /** `service_tier` of the extraction's requests: flex (falling back to the standard tier) or default. */
    OPENAI_SERVICE_TIER: z._default(z.enum(SERVICE_TIERS), DEFAULT_SERVICE_TIER),
    PROMPT_VERSION: z._default(
      z.coerce.number().check(
        z.int(),
        z.refine((version) => version in PROMPTS, 'unknown prompt version'),
      ),
      LATEST_PROMPT_VERSION,
    ),
    /** Timeout of one OpenAI call; the invocation's model deadline cuts it shorter when less time is left. */
    OPENAI_TIMEOUT_MS: positiveInt(15_000),
    /** This instance's share of the account's OpenAI requests per minute; unset means no client-side limit. */
    OPENAI_REQUESTS_PER_MINUTE: z.optional(z.coerce.number().check(z.positive())),
    /** Records of one batch extracted at the same time. */
    RECORD_CONCURRENCY: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10)), 10),
    RETRY_BASE_SECONDS: positive(10),
    RETRY_MAX_SECONDS: positive(CONSUMER_SETTINGS.retryMaxSeconds),
    /** Rate-limited answers in a row that stop calls to the model for a while. */
    CIRCUIT_THRESHOLD: positiveInt(5),
    CIRCUIT_COOLDOWN_SECONDS: positive(30),
    /** Lambda timeout of this function: sizes the SDK clients and the time kept back from the model. */
    FUNCTION_TIMEOUT_SECONDS: positiveInt(60),
    /** The service's semver (lambdas/tag-extraction/version.ts, set by the stack); stamped on every entry it tags. */
    SERVICE_VERSION: z._default(z.string().check(z.regex(/^\d+\.\d+\.\d+/)), EXTRACTION_SERVICE_VERSION),
    /** The published version running (set by Lambda; `$LATEST` unpublished and locally): a metric dimension. */
    AWS_LAMBDA_FUNCTION_VERSION: z._default(z.string().check(z.minLength(1)), '$LATEST'),
  })
  .check(
    z.refine(
      (env) => modelShareMs(env.FUNCTION_TIMEOUT_SECONDS) >= (env.FUNCTION_TIMEOUT_SECONDS * 1000) / 2,
      'FUNCTION_TIMEOUT_SECONDS is too short: the time kept back for the bookkeeping after the model deadline leaves the model less than half of it',
    ),
  );

/** What a full-length invocation leaves the model calls once the deadline reserve is kept back. */
function modelShareMs(functionTimeoutSeconds: number): number {
  const reserve = deadlineReserve(functionTimeoutSeconds);
  return functionTimeoutSeconds * 1000 - reserve.bookkeepingMs - reserve.responseMarginMs;
}

/** The extraction function's configuration. */
export type ExtractionEnv = z.infer<typeof ExtractionEnvSchema>;

/** Reads and validates the extraction function's environment once, at cold start. */
export function readExtractionEnv(env: NodeJS.ProcessEnv): ExtractionEnv {
  return ExtractionEnvSchema.parse(env);
}
