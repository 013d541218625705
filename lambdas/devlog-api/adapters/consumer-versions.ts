import type { Logger } from '@aws-lambda-powertools/logger';
import {
  ACCEPTED_JOB_MESSAGE_VERSIONS,
  BASELINE_JOB_MESSAGE_VERSION,
  newestSendableVersion,
  parseAcceptedVersions,
  type JobMessageVersion,
} from '../../contract/index.js';

/** The job message version to send now. */
export type JobMessageVersionSource = () => Promise<JobMessageVersion>;

/** How long a read of the consumer's accepted versions is used before it is read again. */
export const CONSUMER_VERSIONS_MAX_AGE_MS = 5 * 60_000;

/**
 * How long a failed read (parameter missing or SSM unreachable) is used: long enough that an
 * SSM outage costs each container one read per interval rather than one per send, short enough
 * that the newest version is sent again soon after SSM answers.
 */
export const CONSUMER_VERSIONS_FAILED_READ_MAX_AGE_MS = 15_000;

/** Options of the SSM-backed version source. */
export interface SsmVersionSourceOptions {
  parameterName: string;
  /** Reads an SSM parameter's value; throws when it does not exist. */
  readParameter: (name: string) => Promise<string | undefined>;
  now?: () => number;
  logger: Pick<Logger, 'warn'>;
}

/**
 * The newest version the deployed consumer accepts, from the SSM parameter the extraction stack
 * publishes. Read once and then at most every five minutes per container, so a consumer release
 * reaches running producers without a redeploy. When the parameter is missing (the extraction
 * stack is not deployed yet) or unreadable, the baseline version, which every consumer accepts
 * (and which is right for any entry, edited or not: a version 1 job is for the entry's current
 * text), until the read is retried after CONSUMER_VERSIONS_FAILED_READ_MAX_AGE_MS.
 * Hand-written rather than Powertools' getParameter, whose cache does not keep a failed read:
 * during an SSM outage every job would wait on SSM again.
 */
export function ssmJobMessageVersion(options: SsmVersionSourceOptions): JobMessageVersionSource {
  const now = options.now ?? Date.now;
  let cached: { version: Promise<JobMessageVersion>; expiresAt: number } | undefined;
  const read = async (entry: { expiresAt: number }): Promise<JobMessageVersion> => {
    try {
      const value = await options.readParameter(options.parameterName);
      return newestSendableVersion(parseAcceptedVersions(value ?? ''));
    } catch (error) {
      options.logger.warn('cannot read the versions the consumer accepts; sending the baseline job message version', {
        parameterName: options.parameterName,
        version: BASELINE_JOB_MESSAGE_VERSION,
        error,
      });
      entry.expiresAt = Math.min(entry.expiresAt, now() + CONSUMER_VERSIONS_FAILED_READ_MAX_AGE_MS);
      return BASELINE_JOB_MESSAGE_VERSION;
    }
  };
  return () => {
    if (!cached || now() >= cached.expiresAt) {
      const entry = { expiresAt: now() + CONSUMER_VERSIONS_MAX_AGE_MS };
      cached = Object.assign(entry, { version: read(entry) });
    }
    return cached.version;
  };
}

/**
 * Where the consumer runs from the same checkout (the local stack, tests): it accepts what this
 * contract accepts, so the producer sends the newest of those.
 */
export const sameCheckoutJobMessageVersion: JobMessageVersionSource = async () => newestSendableVersion(ACCEPTED_JOB_MESSAGE_VERSIONS);

/**
 * The version source of a producer function: SSM when the stack names the parameter, else the
 * same-checkout consumer. The first read starts at once without being awaited, so it overlaps
 * the cold start and the entry's write instead of delaying them. `loadSsmReader` is the
 * handler's dynamic import of ssm-parameter.js: the SSM client is bundled into its own file
 * (LambdaFunction's lazyModules), so it adds nothing to the cold start's parse time.
 */
export function jobMessageVersionSource(
  parameterName: string | undefined,
  logger: SsmVersionSourceOptions['logger'],
  loadSsmReader: () => Promise<{ readSsmParameter: SsmVersionSourceOptions['readParameter'] }>,
): JobMessageVersionSource {
  if (!parameterName) return sameCheckoutJobMessageVersion;
  const readParameter = async (name: string) => (await loadSsmReader()).readSsmParameter(name);
  const source = ssmJobMessageVersion({ parameterName, readParameter, logger });
  void source();
  return source;
}
