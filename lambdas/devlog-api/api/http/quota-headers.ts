import { DAILY_ENTRIES_POLICY, QUOTA_WINDOW_SECONDS, type QuotaState } from '../../domain/daily-quota.js';
import { quotaExceeded, type ProblemError } from './problem.js';

/*
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): structured-field
 * lists with one fixed-shape item each, written by hand because a token and two integers need
 * no structured-fields library in the bundle.
 */

/** `RateLimit-Policy` and `RateLimit` for where the caller stands in the daily entries quota. */
export function rateLimitHeaders(state: QuotaState): Record<string, string> {
  return {
    'ratelimit-policy': `"${DAILY_ENTRIES_POLICY}";q=${state.limit};w=${QUOTA_WINDOW_SECONDS}`,
    ratelimit: `"${DAILY_ENTRIES_POLICY}";r=${state.remaining};t=${state.resetSeconds}`,
  };
}

/** The 429 of a request over the daily entries quota, with when to come back. */
export function dailyQuotaExceeded(state: QuotaState): ProblemError {
  return quotaExceeded(
    `You have created your ${state.limit} entries for today (UTC); new entries and edits are accepted again in ${state.resetSeconds} s.`,
    { 'retry-after': String(state.resetSeconds), ...rateLimitHeaders(state) },
  );
}
