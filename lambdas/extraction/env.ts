import * as z from 'zod/mini';
import { LATEST_PROMPT_VERSION, PROMPTS } from './prompts.js';

const positiveInt = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);
const positive = (fallback: number) => z._default(z.coerce.number().check(z.positive()), fallback);

const ExtractionEnvSchema = z
  .object({
    TABLE_NAME: z.string().check(z.minLength(1)),
    QUEUE_URL: z.url(),
    /** Secrets Manager id of the OpenAI API key (a plain string secret). */
    OPENAI_SECRET_ID: z.string().check(z.minLength(1)),
    /** Any OpenAI-compatible server (Azure OpenAI, vLLM, Ollama, the local stand-in). */
    OPENAI_BASE_URL: z.optional(z.url()),
    OPENAI_MODEL: z._default(z.string().check(z.minLength(1)), 'gpt-4o-mini'),
    PROMPT_VERSION: z._default(
      z.coerce.number().check(
        z.int(),
        z.refine((version) => version in PROMPTS, 'unknown prompt version'),
      ),
      LATEST_PROMPT_VERSION,
    ),
    /** Per-request timeout of the OpenAI client. */
    OPENAI_TIMEOUT_MS: positiveInt(15_000),
    /** Retries inside the OpenAI client before the message itself is retried through SQS. */
    OPENAI_MAX_RETRIES: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(5)), 1),
    /** This instance's share of the account's OpenAI requests per minute; unset means no client-side limit. */
    OPENAI_REQUESTS_PER_MINUTE: z.optional(z.coerce.number().check(z.positive())),
    /** Records of one batch extracted at the same time. */
    RECORD_CONCURRENCY: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10)), 10),
    RETRY_BASE_SECONDS: positive(10),
    RETRY_MAX_SECONDS: positive(900),
    /** Rate-limited answers in a row that stop calls to the model for a while. */
    CIRCUIT_THRESHOLD: positiveInt(5),
    CIRCUIT_COOLDOWN_SECONDS: positive(30),
    /** Lambda timeout of this function, to keep the OpenAI client's worst case inside it. */
    FUNCTION_TIMEOUT_SECONDS: positiveInt(60),
    /** Set only by the local stack: the SQS emulator's endpoint. */
    AWS_ENDPOINT_URL_SQS: z.optional(z.url()),
  })
  .check(
    z.refine(
      (env) => openAiWorstCaseMs(env.OPENAI_TIMEOUT_MS, env.OPENAI_MAX_RETRIES) < env.FUNCTION_TIMEOUT_SECONDS * 1000,
      'OPENAI_TIMEOUT_MS x (OPENAI_MAX_RETRIES + 1) plus backoff must fit inside the function timeout',
    ),
  );

/** The extraction function's configuration. */
export type ExtractionEnv = z.infer<typeof ExtractionEnvSchema>;

/** The longest one OpenAI call can take with the client's own retries (8 s max backoff each). */
export function openAiWorstCaseMs(timeoutMs: number, maxRetries: number): number {
  return timeoutMs * (maxRetries + 1) + maxRetries * 8_000;
}

/** Reads and validates the extraction function's environment once, at cold start. */
export function readExtractionEnv(env: NodeJS.ProcessEnv): ExtractionEnv {
  return ExtractionEnvSchema.parse(env);
}
