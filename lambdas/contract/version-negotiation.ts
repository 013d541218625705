import { ACCEPTED_JOB_MESSAGE_VERSIONS, BASELINE_JOB_MESSAGE_VERSION, type JobMessageVersion } from './job-message.js';

/**
 * The versions a consumer accepts, as the extraction stack publishes them in SSM: ascending,
 * comma-separated (`1,2`).
 */
export function formatAcceptedVersions(versions: readonly number[]): string {
  return [...versions].sort((a, b) => a - b).join(',');
}

/** Reads a published list of accepted versions; entries that are not positive integers are ignored. */
export function parseAcceptedVersions(text: string): number[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => /^[1-9]\d*$/.test(part))
    .map(Number);
}

/**
 * The version a producer sends: the newest one both it (this contract) and the deployed consumer
 * accept. A consumer that names none of ours gets the baseline, which every consumer accepts.
 */
export function newestSendableVersion(consumerAccepts: readonly number[]): JobMessageVersion {
  const common = ACCEPTED_JOB_MESSAGE_VERSIONS.filter((version) => consumerAccepts.includes(version));
  return common.length > 0 ? (Math.max(...common) as JobMessageVersion) : BASELINE_JOB_MESSAGE_VERSION;
}
