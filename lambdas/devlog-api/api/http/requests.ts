import { EntryIdSchema } from '../../domain/entry.js';
import { decodeCursor, decodeTechStackCursor } from './cursor.js';
import { badRequest, payloadTooLarge, unprocessable, unsupportedMediaType } from './problem.js';
import {
  EntryBodySchema,
  IdempotencyKeySchema,
  LIST_LIMIT,
  ListEntriesQuerySchema,
  MAX_TAG_FILTER_CHARS,
  TECH_STACK_LIMIT,
  TechStackQuerySchema,
} from './schemas.js';

export { LIST_LIMIT, MAX_ENTRY_CHARS } from './schemas.js';

/** Largest body we read: room for a full entry even when every character is JSON-escaped. */
export const MAX_BODY_BYTES = 128 * 1024;
/** Rejects invalid UTF-8 instead of replacing it with U+FFFD, which would be stored as if sent. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The parts of an HTTP request the validators read. */
export interface HttpRequestParts {
  headers: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  query?: Record<string, string | undefined>;
}

/** A validated POST /logs body and headers. */
export interface CreateEntryRequest {
  entry: string;
  idempotencyKey?: string;
}

/** Validates a POST /logs request: content type, size, JSON, the entry, and the Idempotency-Key. */
export function parseCreateEntryRequest(request: HttpRequestParts): CreateEntryRequest {
  return { entry: parseEntryBody(request), idempotencyKey: parseIdempotencyKey(request.headers['idempotency-key']) };
}

/** Validates a PATCH /logs/{id} request: the same rules for the body as POST. */
export function parseEditEntryRequest(request: HttpRequestParts): { entry: string } {
  return { entry: parseEntryBody(request) };
}

function parseEntryBody(request: HttpRequestParts): string {
  const contentType = request.headers['content-type'];
  if (!isJsonContentType(contentType)) {
    throw unsupportedMediaType(
      `Send the entry as JSON with 'Content-Type: application/json'${contentType ? `, not '${truncate(contentType)}'` : ''}.`,
    );
  }
  const raw = Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.length > MAX_BODY_BYTES) {
    throw payloadTooLarge(`The body is ${raw.length} bytes; at most ${MAX_BODY_BYTES} are accepted.`);
  }
  let text: string;
  try {
    text = STRICT_UTF8.decode(raw);
  } catch {
    throw badRequest('The body is not valid UTF-8; send the entry as UTF-8 encoded JSON.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badRequest(`The body is not valid JSON: ${(error as Error).message}.`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw unprocessable('The body must be a JSON object like {"entry": "..."}.');
  }
  const parsed = EntryBodySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw unprocessable(`'${issue?.path.join('.') || 'entry'}' ${issue?.message ?? 'is invalid'}.`);
  }
  return parsed.data.entry;
}

function parseIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!IdempotencyKeySchema.safeParse(value).success) {
    throw badRequest('The Idempotency-Key header must be 1 to 255 visible ASCII characters.');
  }
  return value;
}

/** Validates the `{id}` path parameter. */
export function parseEntryId(id: string | undefined): string {
  const parsed = EntryIdSchema.safeParse(id);
  if (!parsed.success) throw badRequest('The entry id must be a 26-character ULID as returned by POST /logs.');
  return parsed.data;
}

/** A validated GET /logs query. */
export interface ListEntriesRequest {
  limit: number;
  afterId?: string;
  /** Only entries carrying this tag (matched case-insensitively). */
  tag?: string;
}

/** Validates `limit`, `cursor` and `tag` of GET /logs. */
export function parseListEntriesRequest(query: Record<string, string | undefined> = {}): ListEntriesRequest {
  const parsed = ListEntriesQuerySchema.safeParse(query);
  const invalid = parsed.success ? undefined : parsed.error.issues[0]?.path[0];
  if (invalid === 'tag') {
    throw badRequest(`'tag' must be 1 to ${MAX_TAG_FILTER_CHARS} characters, not only whitespace.`);
  }
  const { limit: rawLimit, cursor, tag } = parsed.success ? parsed.data : query;
  let limit: number = LIST_LIMIT.default;
  if (rawLimit !== undefined) {
    if (invalid === 'limit' || Number(rawLimit) < LIST_LIMIT.min || Number(rawLimit) > LIST_LIMIT.max) {
      throw badRequest(`'limit' must be an integer from ${LIST_LIMIT.min} to ${LIST_LIMIT.max}.`);
    }
    limit = Number(rawLimit);
  }
  return { limit, afterId: cursor === undefined ? undefined : decodeCursor(cursor), ...(tag === undefined ? {} : { tag }) };
}

function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const [mediaType] = value.split(';');
  return /^application\/json$/i.test(mediaType?.trim() ?? '');
}

function truncate(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}...` : value;
}

/** A validated GET /me/tech-stack query. */
export interface TechStackRequest {
  limit: number;
  /** The rank after which the page starts. */
  after?: string;
}

/** Validates `limit` (1 to 100, default 50) and `cursor` of GET /me/tech-stack. */
export function parseTechStackRequest(query: Record<string, string | undefined> = {}): TechStackRequest {
  const parsed = TechStackQuerySchema.safeParse(query);
  if (!parsed.success) {
    throw parsed.error.issues[0]?.path[0] === 'limit'
      ? badRequest(`'limit' must be an integer from ${TECH_STACK_LIMIT.min} to ${TECH_STACK_LIMIT.max}.`)
      : badRequest('The cursor is not one this API issued for /me/tech-stack; start again without it.');
  }
  const { limit, cursor } = parsed.data;
  return {
    limit: limit === undefined ? TECH_STACK_LIMIT.default : Number(limit),
    ...(cursor === undefined ? {} : { after: decodeTechStackCursor(cursor) }),
  };
}
