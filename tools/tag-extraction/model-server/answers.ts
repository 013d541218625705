import { findTechnologies } from '../offline-model/find-technologies.js';
import type { Answer, Reply } from './server.js';

/** The model name the offline dictionary answers with, so the tags it wrote are recognisable. */
export const OFFLINE_DICTIONARY_MODEL = 'offline-dictionary';

const dictionaryAnswers = new Map<string, string[]>();

/**
 * The offline dictionary extractor as an answer: what the local stack serves without OpenAI.
 * Memoised per entry because the bench cycles through a fixed set of entries.
 */
export const offlineDictionary: Answer = ({ entry }) => {
  let technologies = dictionaryAnswers.get(entry);
  if (!technologies) {
    technologies = findTechnologies(entry);
    dictionaryAnswers.set(entry, technologies);
  }
  return { technologies, model: OFFLINE_DICTIONARY_MODEL };
};

/** A 429 as OpenAI sends it, with `retry-after` (seconds) and/or `retry-after-ms`. */
export function rateLimited(retryAfter: { seconds?: number; milliseconds?: number } = {}): Reply {
  const headers: Record<string, string> = {};
  if (retryAfter.seconds !== undefined) headers['retry-after'] = String(retryAfter.seconds);
  if (retryAfter.milliseconds !== undefined) headers['retry-after-ms'] = String(retryAfter.milliseconds);
  return { status: 429, headers, error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } };
}

/**
 * The 429 OpenAI sends when flex processing has no capacity ("429 Resource Unavailable", not
 * billed; developers.openai.com/api/docs/guides/flex-processing): answer it to requests whose
 * `body.service_tier` is `flex` to script a flex outage.
 */
export function flexUnavailable(): Reply {
  return {
    status: 429,
    error: {
      message: 'Resource Unavailable: flex processing has no capacity for this request right now; try again later or use the default tier.',
      type: 'server_error',
      code: 'resource_unavailable',
    },
  };
}

/** Random faults, each a share (0..1) of all requests. */
export interface RandomFaults {
  /** Answer 500/502/503. */
  serverErrorRate?: number;
  /** Answer 429 with `retry-after: retryAfterSeconds`. */
  rateLimitRate?: number;
  retryAfterSeconds?: number;
  /** Answer only after `slowMs` (past a client's timeout). */
  slowRate?: number;
  slowMs?: number;
  /** Entries that always get a 500. */
  alwaysFail?: (entry: string) => boolean;
}

/** How many of each fault an answer with random faults has served. */
export interface FaultCounts {
  serverErrors: number;
  rateLimited: number;
  slow: number;
}

/**
 * Wraps an answer with faults drawn per request from a seeded generator (mulberry32), so a run's
 * mix is reproducible given the same arrival order.
 */
export function withRandomFaults(answer: Answer, faults: RandomFaults, seed = 20_261_123): { answer: Answer; counts: FaultCounts } {
  const random = mulberry32(seed);
  const counts: FaultCounts = { serverErrors: 0, rateLimited: 0, slow: 0 };
  const { serverErrorRate = 0, rateLimitRate = 0, slowRate = 0 } = faults;
  const faulty: Answer = async (request) => {
    const draw = random();
    if (faults.alwaysFail?.(request.entry) || draw < serverErrorRate) {
      counts.serverErrors++;
      return {
        status: [500, 502, 503][Math.floor(random() * 3)] ?? 500,
        error: { message: 'injected server error', type: 'server_error' },
      };
    }
    if (draw < serverErrorRate + rateLimitRate) {
      counts.rateLimited++;
      return rateLimited({ seconds: faults.retryAfterSeconds ?? 1 });
    }
    if (draw < serverErrorRate + rateLimitRate + slowRate) {
      counts.slow++;
      return { ...(await answer(request)), delayMs: faults.slowMs ?? 5_000 };
    }
    return answer(request);
  };
  return { answer: faulty, counts };
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
