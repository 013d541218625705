/**
 * Why an entry ended `failed`: the extraction stores one of these codes in the entry's `error`
 * attribute and the API answers with the code and its message. Codes are stable (a client may
 * branch on them; removing or renaming one is a major contract change); the detail of a failure
 * (URLs, status codes, the SDK's words) stays in the extraction's logs, never in the entry.
 */
export const FAILURE_REASONS = {
  'model-unreachable': 'The tagging model could not be reached.',
  'model-timeout': 'The tagging model did not answer in time.',
  'model-rate-limited': 'The tagging model was over its rate limit.',
  'model-unavailable': 'The tagging model answered with a server error.',
  'model-rejected-request': 'The tagging model rejected the request.',
  'model-refused': 'The tagging model declined to answer for this entry.',
  'model-retired': 'No configured tagging model is available any more.',
  'answer-truncated': "The model's answer was too long and was cut off.",
  'answer-unreadable': "The model's answer could not be read.",
  'extraction-failed': 'Tagging failed for an internal reason.',
} as const;

/** A stable failure reason code. */
export type FailureCode = keyof typeof FAILURE_REASONS;

/** Every failure reason code, in the order of FAILURE_REASONS. */
export const FAILURE_CODES = Object.keys(FAILURE_REASONS) as [FailureCode, ...FailureCode[]];

/** An entry's failure as the API shows it. */
export interface FailureReason {
  code: FailureCode;
  message: string;
}

/**
 * The failure reason of a stored `error` attribute. Anything that is not a code (free text an
 * older extraction wrote, which may quote URLs or exceptions) reads as `extraction-failed`.
 */
export function failureReasonOf(stored: string): FailureReason {
  const code: FailureCode = Object.hasOwn(FAILURE_REASONS, stored) ? (stored as FailureCode) : 'extraction-failed';
  return { code, message: FAILURE_REASONS[code] };
}
