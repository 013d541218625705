import * as z from 'zod';
import { LATEST_PROMPT_VERSION, PROMPTS } from './prompts.js';

const ExtractionEnvSchema = z
  .object({
    TABLE_NAME: z.string().min(1),
    QUEUE_URL: z.url(),
    /** Secrets Manager id of the OpenAI API key (a plain string secret). */
    OPENAI_SECRET_ID: z.string().min(1),
    /** Any OpenAI-compatible server (Azure OpenAI, vLLM, Ollama, the local stand-in). */
    OPENAI_BASE_URL: z.url().optional(),
    OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
    PROMPT_VERSION: z.coerce
      .number()
      .int()
      .refine((version) => version in PROMPTS, 'unknown prompt version')
      .default(LATEST_PROMPT_VERSION),
    /** Per-request timeout of the OpenAI client. */
    OPENAI_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
    /** Retries inside the OpenAI client before the message itself is retried through SQS. */
    OPENAI_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
    /** This instance's share of the account's OpenAI requests per minute; unset means no client-side limit. */
    OPENAI_REQUESTS_PER_MINUTE: z.coerce.number().positive().optional(),
    /** Records of one batch extracted at the same time. */
    RECORD_CONCURRENCY: z.coerce.number().int().min(1).max(10).default(10),
    RETRY_BASE_SECONDS: z.coerce.number().positive().default(10),
    /** Rate-limited answers in a row that stop calls to the model for a while. */
    CIRCUIT_THRESHOLD: z.coerce.number().int().positive().default(5),
    CIRCUIT_COOLDOWN_SECONDS: z.coerce.number().positive().default(30),
    RETRY_MAX_SECONDS: z.coerce.number().positive().default(900),
    /** Lambda timeout of this function, to keep the OpenAI client's worst case inside it. */
    FUNCTION_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(60),
    /** Set only by the local stack: the SQS emulator's endpoint. */
    AWS_ENDPOINT_URL_SQS: z.url().optional(),
  })
  .refine(
    (env) => openAiWorstCaseMs(env.OPENAI_TIMEOUT_MS, env.OPENAI_MAX_RETRIES) < env.FUNCTION_TIMEOUT_SECONDS * 1000,
    'OPENAI_TIMEOUT_MS x (OPENAI_MAX_RETRIES + 1) plus backoff must fit inside the function timeout',
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
