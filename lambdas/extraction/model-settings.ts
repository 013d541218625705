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

/** Low: naming the technologies in a short text needs little reasoning, and reasoning tokens are billed as output. */
export const DEFAULT_REASONING_EFFORT: ReasoningEffort = 'low';

/** Splits a comma-separated model list (`OPENAI_FALLBACK_MODELS`, context `openAiFallbackModels`). */
export function parseModelList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((model) => model.trim())
    .filter((model) => model.length > 0);
}

/** A model's list price in USD, for the dashboard's cost estimate. */
export interface ModelPrice {
  inputUsdPerMillionTokens: number;
  outputUsdPerMillionTokens: number;
}

/**
 * Standard-tier list prices per million tokens (prompts under 272K tokens; cached input not
 * counted apart), for the dashboard's estimated cost only. As OpenAI's pricing page
 * (developers.openai.com/api/docs/pricing) gives them, read with the search tool on 2026-12-01
 * through two pages that quote it: docs.litellm.ai/blog/gpt_6_sol_luna and
 * vercel.com/ai-gateway/models/openai/gpt-6-luna. Re-read them when a model or price changes.
 */
const MODEL_PRICES: Record<string, ModelPrice> = {
  'gpt-6-luna': { inputUsdPerMillionTokens: 0.1, outputUsdPerMillionTokens: 0.5 },
  'gpt-6-sol': { inputUsdPerMillionTokens: 2, outputUsdPerMillionTokens: 10 },
};

/** The list price of a model, or undefined when we have none for it. */
export function modelPrice(model: string): ModelPrice | undefined {
  return MODEL_PRICES[model];
}
