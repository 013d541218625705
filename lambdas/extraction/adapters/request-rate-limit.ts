import pThrottle from 'p-throttle';
import type { RawExtraction, TagExtractor } from '../domain/ports.js';

/**
 * Spaces the model calls of this instance evenly so it stays within its share of the OpenAI
 * account's requests per minute; queued calls wait instead of drawing 429s.
 */
export function withRequestRateLimit(extractor: TagExtractor, requestsPerMinute: number | undefined): TagExtractor {
  if (!requestsPerMinute) return extractor;
  const throttled = pThrottle({ limit: 1, interval: 60_000 / requestsPerMinute })(
    (entryText: string): Promise<RawExtraction> => extractor.extract(entryText),
  );
  return { extract: (entryText) => throttled(entryText) };
}
