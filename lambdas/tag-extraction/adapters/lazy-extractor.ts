import type { ExtractOptions, RawExtraction, TagExtractor } from '../domain/ports.js';

/**
 * An extractor whose module is loaded on first use rather than at cold start (the OpenAI SDK and
 * its zod helper double the init time). A failed load is retried on the next call.
 */
export function lazyExtractor(load: () => Promise<TagExtractor>): TagExtractor {
  let loading: Promise<TagExtractor> | undefined;
  return {
    async extract(entryText: string, options?: ExtractOptions): Promise<RawExtraction> {
      loading ??= load().catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
      return (await loading).extract(entryText, options);
    },
  };
}
