// One schema for the entry: the domain infers its types from it, and the HTTP layer
// (api/http/schemas.ts) derives the answer's schema from it, so the shape is written once.
// zod/mini, as every schema a Lambda loads: it keeps the cold start small.
import * as z from 'zod/mini';
import { ENTRY_ID_PATTERN, ENTRY_STATUSES } from '../../contract/index.js';

/** An entry id: a ULID as POST /logs returns it. */
export const EntryIdSchema = z.string().check(z.regex(ENTRY_ID_PATTERN));

/** A tag the extraction attached to an entry. */
const TagSchema = z.object({
  type: z.literal('tech-stack'),
  value: z.string(),
});

/** A dev-log entry as the API stores it. */
export const EntryRecordSchema = z.object({
  id: EntryIdSchema,
  ownerId: z.string(),
  entry: z.string(),
  status: z.enum(ENTRY_STATUSES),
  tags: z.array(TagSchema),
  /** 1 when created; every edit adds one, and the extraction writes tags only for the revision it read. */
  revision: z.number().check(z.int(), z.minimum(1)),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  model: z.optional(z.string()),
  promptVersion: z.optional(z.number().check(z.int())),
  /** The extraction service's version that wrote the tags. */
  extractorVersion: z.optional(z.string()),
  /** The failure reason code the extraction stored (the contract's FAILURE_REASONS). */
  error: z.optional(z.string()),
});

/** A dev-log entry as the API stores and returns it. */
export type Entry = z.infer<typeof EntryRecordSchema>;

/** The entry as clients see it (the owner is implied by the token). */
export type EntryView = Omit<Entry, 'ownerId'>;

/** Drops what clients must not see. */
export function toEntryView({ ownerId: _ownerId, ...view }: Entry): EntryView {
  return view;
}
