import { PermanentError } from '../domain/errors.js';
import type { ExtractOptions, RawExtraction, TagExtractor } from '../domain/ports.js';

/** Told each time a gone model is left for the next one. */
export type FallbackListener = (event: { from: string; to: string; reason: string }) => void;

/**
 * True when an error says the model no longer exists: 404 `model_not_found`, 410, or a message
 * saying it is deprecated. Reads the SDK error or the one it caused (our classified errors keep it).
 */
export function isModelGone(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 3; current = (current as { cause?: unknown }).cause, depth++) {
    const { status, code, message } = current as { status?: unknown; code?: unknown; message?: unknown };
    if (typeof status !== 'number') continue;
    if (status === 410 || code === 'model_not_found' || code === 'model_deprecated') return true;
    if ((status === 404 || status === 400) && typeof message === 'string' && /deprecated|does not exist/i.test(message)) return true;
  }
  return false;
}

/**
 * Tries the models in order (the configured one, then `OPENAI_FALLBACK_MODELS`), moving on only
 * when a model is gone. A gone model is remembered for the container's life and not asked again;
 * every other error is the answer. When every model is gone the entry fails permanently.
 */
export function withModelFallback(
  models: readonly string[],
  extractorFor: (model: string) => TagExtractor,
  onFallback: FallbackListener,
): TagExtractor {
  const extractors = new Map(models.map((model) => [model, extractorFor(model)]));
  const gone = new Map<string, string>();
  return {
    async extract(entryText: string, options?: ExtractOptions): Promise<RawExtraction> {
      for (const model of models) {
        const extractor = extractors.get(model);
        if (!extractor || gone.has(model)) continue;
        try {
          return await extractor.extract(entryText, options);
        } catch (error) {
          if (!isModelGone(error)) throw error;
          const reason = ((error as Error).message ?? String(error)).slice(0, 200);
          gone.set(model, reason);
          const next = models.find((candidate) => !gone.has(candidate));
          if (next) onFallback({ from: model, to: next, reason });
        }
      }
      throw new PermanentError(`every configured model is gone: ${[...gone].map(([model, reason]) => `${model} (${reason})`).join('; ')}`, {
        reason: 'model-retired',
      });
    },
  };
}
