// zod/mini on the hot path (cold start); tools/devlog-api/openapi builds the OpenAPI document from these
// very schemas, so what is validated and shaped here is what the document says.
import * as z from 'zod/mini';
import { FAILURE_CODES, failureReasonOf } from '../../../contract/index.js';
import { EntryRecordSchema } from '../../domain/entry.js';

/** Longest entry we accept, in characters (code points). */
export const MAX_ENTRY_CHARS = 10_000;
/** Page size bounds of GET /logs. */
export const LIST_LIMIT = { min: 1, max: 100, default: 20 } as const;

/** The `Idempotency-Key` header: 1 to 255 visible ASCII characters. */
export const IdempotencyKeySchema = z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/));

/**
 * The entry's rules on what its text holds, as one Unicode pattern for the OpenAPI document: no
 * NUL, no lone surrogate (a code point of its own under the `u` flag), and one character that is
 * neither whitespace nor an invisible format character. The validator checks each rule apart, to
 * name the one broken; test/abuse/openapi-rules.test.ts keeps the two in agreement.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the character the rule forbids.
export const ENTRY_TEXT_PATTERN = /^[^\u0000\uD800-\uDFFF]*[^\s\p{Cf}\u0000\uD800-\uDFFF][^\u0000\uD800-\uDFFF]*$/u;

/** A tag filter's rules as one Unicode pattern (as ENTRY_TEXT_PATTERN, NUL allowed: the filter is never stored). */
export const TAG_FILTER_PATTERN = /^[^\uD800-\uDFFF]*[^\s\p{Cf}\uD800-\uDFFF][^\uD800-\uDFFF]*$/u;

/** The body of POST /logs and PATCH /logs/{id}. */
export const EntryBodySchema = z.object({
  entry: z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') }).check(
    // Invisible format characters (zero-width spaces, joiners, BOM) count as whitespace here.
    z.refine((value) => /[^\s\p{Cf}]/u.test(value), 'must not be empty or only whitespace'),
    z.refine((value) => [...value].length <= MAX_ENTRY_CHARS, `must be at most ${MAX_ENTRY_CHARS} characters`),
    z.refine((value) => !value.includes('\u0000'), 'must not contain NUL characters'),
    z.refine((value) => value.isWellFormed(), 'must be well-formed Unicode (no lone surrogates)'),
  ),
});

/** Longest `tag` filter value, in characters: room for any tag the extraction writes (64). */
export const MAX_TAG_FILTER_CHARS = 100;

/** The query of GET /logs. */
export const ListEntriesQuerySchema = z.object({
  // An integer in its decimal form (no sign, no leading zero), as the document's integer reads.
  limit: z.optional(z.string().check(z.regex(/^[1-9]\d{0,2}$/))),
  cursor: z.optional(z.string().check(z.maxLength(200), z.regex(/^[A-Za-z0-9_-]+$/))),
  tag: z.optional(
    z.string().check(
      // Characters as code points, as the entry's (and JSON Schema's maxLength) count them.
      z.refine((value) => [...value].length <= MAX_TAG_FILTER_CHARS, `must be at most ${MAX_TAG_FILTER_CHARS} characters`),
      z.refine((value) => /[^\s\p{Cf}]/u.test(value), 'must not be empty or only whitespace'),
      z.refine((value) => value.isWellFormed(), 'must be well-formed Unicode'),
    ),
  ),
});

/**
 * Why an entry failed: a stable code (the contract's FAILURE_REASONS) and its short message;
 * the details stay in the extraction's logs.
 */
export const FailureReasonSchema = z.object({ code: z.enum(FAILURE_CODES), message: z.string() });

/**
 * An entry as clients see it, derived from the stored entry's schema: without the owner (the
 * token implies it), and with the stored failure code read as its reason. Parsing an entry
 * through it drops everything else.
 */
export const EntrySchema = z.extend(z.omit(EntryRecordSchema, { ownerId: true }), {
  /** Why the entry failed (kept on a `pending` entry while a redriven retry runs). */
  error: z.optional(FailureReasonSchema),
});

/** An entry as the API answers with it. */
export type EntryResponse = z.output<typeof EntrySchema>;

/** A page of GET /logs. */
export const EntryPageSchema = z.object({
  items: z.array(EntrySchema),
  nextCursor: z.optional(z.string()),
});

/** One technology of the caller's tech stack. */
export const TechStackItemSchema = z.object({
  value: z.string(),
  count: z.number().check(z.int(), z.minimum(1)),
  firstSeen: z.iso.datetime(),
  lastSeen: z.iso.datetime(),
});

/** Page size bounds of GET /me/tech-stack. */
export const TECH_STACK_LIMIT = { min: 1, max: 100, default: 50 } as const;

/** Longest cursor GET /me/tech-stack issues: a rank (24 characters and a tag key of up to 64) in base64url JSON. */
export const MAX_TECH_STACK_CURSOR_CHARS = 512;

/** The query of GET /me/tech-stack: `limit` 1 to 100, spelled as a plain decimal. */
export const TechStackQuerySchema = z.object({
  limit: z.optional(z.string().check(z.regex(/^(?:[1-9]\d?|100)$/))),
  cursor: z.optional(z.string().check(z.maxLength(MAX_TECH_STACK_CURSOR_CHARS), z.regex(/^[A-Za-z0-9_-]+$/))),
});

/** A page of the caller's tech-stack profile, most used first. */
export const TechStackSchema = z.object({ items: z.array(TechStackItemSchema), nextCursor: z.optional(z.string()) });

/** An RFC 9457 problem details body. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().check(z.int(), z.minimum(400), z.maximum(599)),
  detail: z.string(),
  instance: z.optional(z.string()),
});

/** The bodies API Gateway itself answers with (authorizer, throttling, function errors). */
export const GatewayErrorSchema = z.object({ message: z.string() });

/** The view of an entry the API answers with. */
export function entryResponse(entry: { error?: string }): EntryResponse {
  return EntrySchema.parse({ ...entry, error: entry.error === undefined ? undefined : failureReasonOf(entry.error) });
}
