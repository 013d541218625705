/**
 * The one home of the extraction's model defaults: the Lambda's env, the CDK context defaults,
 * the local stack and the eval read them from here.
 *
 * gpt-6-luna: not listed as deprecated on OpenAI's deprecations page
 * (developers.openai.com/api/docs/deprecations, read with the search tool on 2026-12-01), which
 * lists gpt-4o-mini for shutdown on 2027-01-14. It reasons by default (see model-parameters.ts).
 */
export const DEFAULT_OPENAI_MODEL = 'gpt-6-luna';

/** The `reasoning_effort` values OpenAI's chat completions accept. */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high'] as const;

/** A `reasoning_effort` value. */
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/**
 * None, the lowest effort gpt-6-luna documents: its model page
 * (developers.openai.com/api/docs/models/gpt-6-luna, read with the search tool on 2026-12-14)
 * lists none, low, medium (its default), high, xhigh and max. Naming the technologies in a short
 * text needs no reasoning, and reasoning tokens bill as output: at `low` they were 100 to 300 an
 * entry, several times the answer itself.
 */
export const DEFAULT_REASONING_EFFORT: ReasoningEffort = 'none';

/** The `service_tier` values the extraction may ask for: flex (half price, slower, may lack capacity) or the standard tier. */
export const SERVICE_TIERS = ['flex', 'default'] as const;

/** A `service_tier` value. */
export type ServiceTier = (typeof SERVICE_TIERS)[number];

/**
 * Flex: our users do not wait for their tags, and flex bills at Batch rates, half the standard
 * price. OpenAI's flex guide (developers.openai.com/api/docs/guides/flex-processing, read
 * 2026-12-14) says it is slower and may answer `429 Resource Unavailable` (not billed) when it
 * lacks capacity; the adapter then asks the standard tier (adapters/service-tier.ts). gpt-6-luna's
 * model page lists Flex among its processing tiers.
 */
export const DEFAULT_SERVICE_TIER: ServiceTier = 'flex';

/** Splits a comma-separated model list (`OPENAI_FALLBACK_MODELS`, context `openAiFallbackModels`). */
export function parseModelList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((model) => model.trim())
    .filter((model) => model.length > 0);
}

/** A model's list prices in USD per million tokens, by service tier. */
export interface ModelPrice {
  inputUsdPerMillionTokens: number;
  /** Input tokens served from the prompt cache (prompts of 1,024 tokens or more). */
  cachedInputUsdPerMillionTokens: number;
  /** Output tokens, reasoning tokens included. */
  outputUsdPerMillionTokens: number;
  /** The flex tier's share of these prices (Batch rates), when the model offers flex. */
  flexFactor?: number;
  /** Where the prices were read, and when. */
  source: string;
  asOf: string;
}

/**
 * Standard-tier list prices per million tokens (prompts under 272K tokens), for the dashboard's
 * estimated cost and the bench's bill. gpt-6-luna as OpenAI's own model page gives them
 * ("Batch and Flex cost 50% of Standard"); gpt-6-sol as its pricing page is quoted by
 * docs.litellm.ai/blog/gpt_6_sol_luna. Re-read them when a model or price changes.
 */
const MODEL_PRICES: Record<string, ModelPrice> = {
  'gpt-6-luna': {
    inputUsdPerMillionTokens: 0.1,
    cachedInputUsdPerMillionTokens: 0.01,
    outputUsdPerMillionTokens: 0.5,
    flexFactor: 0.5,
    source: 'https://developers.openai.com/api/docs/models/gpt-6-luna',
    asOf: '2026-12-14',
  },
  'gpt-6-sol': {
    inputUsdPerMillionTokens: 2,
    cachedInputUsdPerMillionTokens: 0.2,
    outputUsdPerMillionTokens: 10,
    flexFactor: 0.5,
    source: 'https://docs.litellm.ai/blog/gpt_6_sol_luna (quoting developers.openai.com/api/docs/pricing)',
    asOf: '2026-12-01',
  },
};

/** The list price of a model, or undefined when we have none for it. */
export function modelPrice(model: string): ModelPrice | undefined {
  return MODEL_PRICES[model];
}
