// zod/mini: the contract is in every bundle, and mini tree-shakes to a few KB.
import * as z from 'zod/mini';

/** Version of the job message; bump it (and keep a fixture of the old one) on any breaking change. */
export const JOB_MESSAGE_VERSION = 1;

/** Entry ids are ULIDs: 26 Crockford base32 characters, sortable by time. */
export const ENTRY_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Longest owner id (the token's `sub`) a job may carry, in UTF-16 code units; the API refuses longer subjects. */
export const OWNER_ID_MAX_LENGTH = 256;

/** The job the API sends to the extraction service for one accepted entry. */
export const JobMessageSchema = z.object({
  version: z.literal(JOB_MESSAGE_VERSION),
  entryId: z.string().check(z.regex(ENTRY_ID_PATTERN)),
  ownerId: z.string().check(z.minLength(1), z.maxLength(OWNER_ID_MAX_LENGTH)),
  enqueuedAt: z.iso.datetime(),
});

/** A job message as both teams see it. */
export type JobMessage = z.infer<typeof JobMessageSchema>;

/** Builds a job message for an entry, stamped with the current contract version. */
export function jobMessageFor(entry: { id: string; ownerId: string }, enqueuedAt: Date): JobMessage {
  return JobMessageSchema.parse({
    version: JOB_MESSAGE_VERSION,
    entryId: entry.id,
    ownerId: entry.ownerId,
    enqueuedAt: enqueuedAt.toISOString(),
  });
}
