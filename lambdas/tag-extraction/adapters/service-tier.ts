import type { ServiceTier } from '../model-settings.js';

/**
 * The `service_tier` field of a request: flex is asked for by name; the standard tier is the
 * API's default and is sent as nothing, so OpenAI-compatible servers that know no tiers (Ollama,
 * vLLM) are not sent a field they may reject.
 */
export function serviceTierField(tier: ServiceTier): { service_tier?: 'flex' } {
  return tier === 'flex' ? { service_tier: 'flex' } : {};
}

/**
 * True when an error is flex lacking capacity: OpenAI answers `429 Resource Unavailable` (not
 * billed; developers.openai.com/api/docs/guides/flex-processing, read 2026-12-07), which the
 * standard tier can serve at once. A rate-limit or quota 429 is not: the standard tier shares
 * the account's limits, so that one goes back to the queue like any 429.
 */
export function isFlexUnavailable(error: unknown): boolean {
  const { status, code, type, message } = (error ?? {}) as { status?: unknown; code?: unknown; type?: unknown; message?: unknown };
  if (status !== 429 || code === 'rate_limit_exceeded' || code === 'insufficient_quota') return false;
  return [code, type, message].some((field) => typeof field === 'string' && /resource[ _]unavailable/i.test(field));
}
