import pThrottle from 'p-throttle';
import { DeadlineExceededError } from '../domain/errors.js';
import type { ExtractOptions, RawExtraction, TagExtractor } from '../domain/ports.js';

/**
 * Spaces the model calls of this instance evenly so it stays within its share of the OpenAI
 * account's requests per minute; queued calls wait instead of drawing 429s. A call whose
 * deadline passes while it waits fails at once, and its turn is skipped without a request.
 */
export function withRequestRateLimit(extractor: TagExtractor, requestsPerMinute: number | undefined): TagExtractor {
  if (!requestsPerMinute) return extractor;
  const throttled = pThrottle({ limit: 1, interval: 60_000 / requestsPerMinute })(
    async (entryText: string, options: ExtractOptions): Promise<RawExtraction> => {
      if (options.signal?.aborted) throw waitedTooLong();
      return extractor.extract(entryText, options);
    },
  );
  return {
    extract(entryText, options = {}) {
      const { signal } = options;
      const call = throttled(entryText, options);
      if (!signal) return call;
      // The throttled call still runs (and fails fast) when its turn comes; observe that here.
      call.catch(() => undefined);
      return new Promise<RawExtraction>((resolve, reject) => {
        const onAbort = () => reject(waitedTooLong());
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
    },
  };
}

function waitedTooLong(): DeadlineExceededError {
  return new DeadlineExceededError('the record deadline passed while the call waited for its turn under the requests-per-minute limit');
}
