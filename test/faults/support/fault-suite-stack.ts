import { QUICK_RETRIES, vocabularyAnswer } from '../../support/entries.js';
import { type TestStack, useTestStack } from '../../support/test-stack.js';

/**
 * The stack a fault suite shares across its tests: the vocabulary model answering after
 * `latencyMs`, retries that settle in seconds, and the suite's own settings (`env`, such as its
 * OpenAI timeout and reconciler pace) on top; with `faultInjection`, fault proxies in front of
 * the emulators.
 */
export function useFaultSuiteStack(
  latencyMs: number,
  env: Record<string, string>,
  options: { faultInjection?: boolean } = {},
): () => TestStack {
  return useTestStack({ ...options, model: { answer: vocabularyAnswer, latencyMs }, env: { ...QUICK_RETRIES, ...env } });
}
