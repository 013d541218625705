// zod/mini: the contract is in every bundle, and mini tree-shakes to a few KB.
import * as z from 'zod/mini';

/** Entry ids are ULIDs: 26 Crockford base32 characters, sortable by time. */
export const ENTRY_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Longest owner id (the token's `sub`) a job may carry, in UTF-16 code units; the API refuses longer subjects. */
export const OWNER_ID_MAX_LENGTH = 256;

const jobFields = {
  entryId: z.string().check(z.regex(ENTRY_ID_PATTERN)),
  ownerId: z.string().check(z.minLength(1), z.maxLength(OWNER_ID_MAX_LENGTH)),
  enqueuedAt: z.iso.datetime(),
};

/** Job message version 1: extract the entry's current text (it predates edits and names no revision). */
export const JobMessageV1Schema = z.object({ version: z.literal(1), ...jobFields });

/**
 * Job message version 2: version 1 plus the entry's text revision, so the consumer can refuse to
 * write tags of an older text over those of a newer one (an edit re-extracts the entry).
 */
export const JobMessageV2Schema = z.object({
  version: z.literal(2),
  ...jobFields,
  revision: z.number().check(z.int(), z.minimum(1)),
});

/**
 * The schema of every published message version. A published version is never changed
 * incompatibly and never dropped by the consumer (the contract gate tests enforce both).
 */
export const JOB_MESSAGE_SCHEMAS = { 1: JobMessageV1Schema, 2: JobMessageV2Schema } as const;

/** A version number of the job message. */
export type JobMessageVersion = keyof typeof JOB_MESSAGE_SCHEMAS;

/** Every version the consumer of this contract accepts, oldest first. */
export const ACCEPTED_JOB_MESSAGE_VERSIONS: readonly JobMessageVersion[] = [1, 2];

/** The newest version of the job message. */
export const LATEST_JOB_MESSAGE_VERSION: JobMessageVersion = 2;

/** The version every consumer ever deployed accepts: what a producer sends when it knows nothing newer is accepted. */
export const BASELINE_JOB_MESSAGE_VERSION: JobMessageVersion = 1;

/** A job message of any accepted version, as it travels on the queue. */
export const JobMessageSchema = z.discriminatedUnion('version', [JobMessageV1Schema, JobMessageV2Schema]);

/** A job message as both teams see it. */
export type JobMessage = z.infer<typeof JobMessageSchema>;

/**
 * The entry revision a job is for, or undefined for "the entry's current text". Version 1
 * predates edits: it asks for the entry's text as it is, whatever its revision, as the consumers
 * released before version 2 read it. A consumer pins such a job to the revision it reads with
 * the text and writes only at that revision, so an edit after that read is left to the edit's
 * own job and never gets an older text's tags.
 */
export function jobRevision(job: JobMessage): number | undefined {
  return job.version === 1 ? undefined : job.revision;
}

/**
 * Builds the job message of an entry in the given version (the newest one the deployed consumer
 * accepts). An entry without a revision is at revision 1.
 */
export function jobMessageFor(
  entry: { id: string; ownerId: string; revision?: number },
  enqueuedAt: Date,
  version: JobMessageVersion = BASELINE_JOB_MESSAGE_VERSION,
): JobMessage {
  const fields = { entryId: entry.id, ownerId: entry.ownerId, enqueuedAt: enqueuedAt.toISOString() };
  if (version === 1) return JobMessageV1Schema.parse({ version, ...fields });
  return JobMessageV2Schema.parse({ version, ...fields, revision: entry.revision ?? 1 });
}
