import OpenAI from 'openai';
import { OpenAiTagExtractor } from '../lambdas/tag-extraction/adapters/openai-tag-extractor.js';
import type { RawExtraction, TagExtractor, TokenUsage } from '../lambdas/tag-extraction/domain/ports.js';
import { DEFAULT_OPENAI_MODEL } from '../lambdas/tag-extraction/model-settings.js';
import { LATEST_PROMPT_VERSION, PROMPTS } from '../lambdas/tag-extraction/prompts.js';
import { findTechnologies } from '../tools/tag-extraction/offline-model/find-technologies.js';

/** The model name the offline extractor reports. */
export const OFFLINE_MODEL = 'offline-dictionary';

/** The local stack's offline model as a TagExtractor: no network, no tokens, no cost. */
export function offlineExtractor(): TagExtractor {
  return {
    async extract(entryText: string): Promise<RawExtraction> {
      return { tags: findTechnologies(entryText), model: OFFLINE_MODEL, usage: { inputTokens: 0, outputTokens: 0 } };
    },
  };
}

/** Settings of the OpenAI extractor, read from the environment like the extraction Lambda's. */
export interface OpenAiSettings {
  apiKey: string;
  baseURL?: string;
  model: string;
  promptVersion: number;
  timeoutMs: number;
  maxRetries: number;
}

/**
 * The OpenAI settings from OPENAI_API_KEY (required), OPENAI_BASE_URL (any OpenAI-compatible
 * server, e.g. the local stand-in), OPENAI_MODEL (default DEFAULT_OPENAI_MODEL, like the Lambda).
 * Returns a reason instead when the environment does not configure OpenAI.
 */
export function openAiSettingsFromEnv(env: NodeJS.ProcessEnv, promptVersion = LATEST_PROMPT_VERSION): OpenAiSettings | { missing: string } {
  const apiKey = env.OPENAI_API_KEY?.trim();
  if (!apiKey) return { missing: 'OPENAI_API_KEY is not set' };
  if (!(promptVersion in PROMPTS)) return { missing: `prompt version ${promptVersion} does not exist` };
  return {
    apiKey,
    baseURL: env.OPENAI_BASE_URL?.trim() || undefined,
    model: env.OPENAI_MODEL?.trim() || DEFAULT_OPENAI_MODEL,
    promptVersion,
    timeoutMs: 30_000,
    maxRetries: 2,
  };
}

/** The extraction Lambda's own OpenAI adapter, pointed at the configured server. */
export function openAiExtractor(settings: OpenAiSettings): TagExtractor {
  const client = new OpenAI({
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    timeout: settings.timeoutMs,
    maxRetries: settings.maxRetries,
  });
  return new OpenAiTagExtractor(async () => client, settings.model, PROMPTS[settings.promptVersion]!);
}

/**
 * List prices in USD per million tokens (input, output), standard tier, as published by OpenAI
 * when this table was written; check the pricing page before quoting a figure. Override with
 * EVAL_INPUT_USD_PER_MTOK / EVAL_OUTPUT_USD_PER_MTOK for other models or servers.
 */
export const PRICES_USD_PER_MILLION_TOKENS: Readonly<Record<string, { input: number; output: number }>> = {
  // gpt-6-luna: OpenAI's model page (developers.openai.com/api/docs/models/gpt-6-luna), read 2026-12-01.
  'gpt-6-luna': { input: 0.1, output: 0.5 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5': { input: 1.25, output: 10 },
  [OFFLINE_MODEL]: { input: 0, output: 0 },
};

/**
 * Estimated cost of the tokens in USD, or undefined when the model's price is unknown. Dated
 * model names ("gpt-4o-mini-2024-07-18") use the price of the longest listed prefix.
 */
export function estimateCostUsd(model: string, usage: TokenUsage, env: NodeJS.ProcessEnv = {}): number | undefined {
  const price = priceOverride(env) ?? priceOf(model);
  if (!price) return undefined;
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}

function priceOf(model: string): { input: number; output: number } | undefined {
  const prefix = Object.keys(PRICES_USD_PER_MILLION_TOKENS)
    .filter((name) => model === name || model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? undefined : PRICES_USD_PER_MILLION_TOKENS[prefix];
}

function priceOverride(env: NodeJS.ProcessEnv): { input: number; output: number } | undefined {
  const input = Number(env.EVAL_INPUT_USD_PER_MTOK);
  const output = Number(env.EVAL_OUTPUT_USD_PER_MTOK);
  if (!env.EVAL_INPUT_USD_PER_MTOK || !env.EVAL_OUTPUT_USD_PER_MTOK) return undefined;
  return Number.isFinite(input) && Number.isFinite(output) ? { input, output } : undefined;
}
