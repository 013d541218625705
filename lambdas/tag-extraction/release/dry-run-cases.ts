import { ACCEPTED_JOB_MESSAGE_VERSIONS } from '../../contract/index.js';
import { INVALID_JOB_MESSAGE_BODIES, JOB_MESSAGE_FIXTURES } from '../../contract/fixtures/index.js';

/** One record of the pre-traffic dry run and what the new version must make of it. */
export interface DryRunCase {
  name: string;
  record: { body: string; entryText: string; answer: string[] };
  expected: { valid: true; version: number; tags: string[] } | { valid: false };
}

const ENTRY_TEXT = 'Heute habe ich eine Anwendung mit Django geschrieben, die Daten nach Elasticsearch schreibt.';
/** A model answer with one of each kind of post-processing: a case to respell, a duplicate, an ungrounded tag. */
const ANSWER = ['Django', 'elasticsearch', 'Kubernetes', 'django'];
/** What the post-processing keeps of ANSWER: grounded, spelled as the text spells them, once each. */
const KEPT = ['Django', 'Elasticsearch'];

/**
 * The contract's fixture of every accepted message version (each must be accepted and its answer
 * grounded), and the contract's invalid bodies (each must be rejected without a model call).
 */
export function dryRunCases(): DryRunCase[] {
  const valid = ACCEPTED_JOB_MESSAGE_VERSIONS.map(
    (version): DryRunCase => ({
      name: `job message v${version}`,
      record: { body: JSON.stringify(JOB_MESSAGE_FIXTURES[version]), entryText: ENTRY_TEXT, answer: ANSWER },
      expected: { valid: true, version, tags: KEPT },
    }),
  );
  const invalid = Object.entries(INVALID_JOB_MESSAGE_BODIES).map(
    ([name, body]): DryRunCase => ({
      name: `invalid: ${name}`,
      record: { body, entryText: ENTRY_TEXT, answer: ANSWER },
      expected: { valid: false },
    }),
  );
  return [...valid, ...invalid];
}
