import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import { PROBLEM_TYPES, problemTypeUri, type ProblemKind } from '../../../lambdas/devlog-api/api/http/problem.js';
import { EntryIdSchema } from '../../../lambdas/devlog-api/domain/entry.js';
import { DAILY_ENTRIES_POLICY, QUOTA_WINDOW_SECONDS } from '../../../lambdas/devlog-api/domain/daily-quota.js';
import { TAG_INDEX_ROWS_PER_REQUEST } from '../../../lambdas/devlog-api/domain/list-entries-by-tag.js';
import { PREFER_WAIT_MAX_SECONDS } from '../../../lambdas/devlog-api/function-timeouts.js';
import { DEFAULT_MAX_OPEN_WAITS_PER_USER } from '../../../lambdas/devlog-api/domain/wait-for-entry.js';
import { API_ROUTES, type OperationId } from '../../../lambdas/devlog-api/api/http/routes.js';
import {
  EntryBodySchema,
  EntryPageSchema,
  ENTRY_TEXT_PATTERN,
  EntrySchema,
  FailureReasonSchema,
  GatewayErrorSchema,
  IdempotencyKeySchema,
  LIST_LIMIT,
  ListEntriesQuerySchema,
  MAX_ENTRY_CHARS,
  MAX_TAG_FILTER_CHARS,
  ProblemSchema,
  TECH_STACK_LIMIT,
  TechStackQuerySchema,
  TAG_FILTER_PATTERN,
  TechStackSchema,
} from '../../../lambdas/devlog-api/api/http/schemas.js';

/*
 * Builds the OpenAPI 3.1 document from the route table and the zod/mini schemas the API
 * validates and shapes with. It runs at build time (npm run openapi writes openapi.json), never
 * in the Lambda, so zod-openapi stays out of the bundle; the API serves the committed file.
 */

EntrySchema.register(z.globalRegistry, {
  id: 'Entry',
  description: 'A dev-log entry: `pending` until its tags are extracted, then `done` (with `tags`) or `failed` (with `error`).',
});
FailureReasonSchema.register(z.globalRegistry, {
  id: 'FailureReason',
  description:
    "Why an entry failed: a stable `code` a client may branch on (removing or renaming one is a breaking change) and its short `message`; the details stay in the service's logs.",
});
EntryPageSchema.register(z.globalRegistry, { id: 'EntryPage', description: 'A page of entries; `nextCursor` when more follow.' });
TechStackSchema.register(z.globalRegistry, {
  id: 'TechStack',
  description:
    "A page of the caller's technologies, most used first: `count` is how many of their entries carry the tag now, `firstSeen`/`lastSeen` the creation times of the oldest and newest of those; `nextCursor` when more follow.",
});
ListEntriesQuerySchema.shape.tag.register(z.globalRegistry, {
  description: `Only entries carrying this tag, matched case-insensitively (1 to ${MAX_TAG_FILTER_CHARS} characters, not only whitespace; URL-encode it: \`C%23\` for C#).`,
  override: { minLength: 1, maxLength: MAX_TAG_FILTER_CHARS, pattern: TAG_FILTER_PATTERN.source },
});
EntryBodySchema.register(z.globalRegistry, {
  id: 'EntryBody',
  description:
    'The text of an entry: 1 to 10,000 characters, not only whitespace, no NUL, well-formed Unicode. Other fields are ignored; the whole body is at most 128 KiB.',
});
// The validator counts characters as code points, as JSON Schema's length keywords do; its rules
// on what the text holds are one pattern here (Unicode regular expression: a lone surrogate is a
// code point of its own, so the class outside D800-DFFF keeps the text well-formed).
EntryBodySchema.shape.entry.register(z.globalRegistry, {
  override: { minLength: 1, maxLength: MAX_ENTRY_CHARS, pattern: ENTRY_TEXT_PATTERN.source },
});
ListEntriesQuerySchema.shape.limit.register(z.globalRegistry, {
  description: `How many entries a page holds at most: an integer from ${LIST_LIMIT.min} to ${LIST_LIMIT.max} (default ${LIST_LIMIT.default}).`,
  override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
    delete jsonSchema.pattern;
    Object.assign(jsonSchema, { type: 'integer', minimum: LIST_LIMIT.min, maximum: LIST_LIMIT.max, default: LIST_LIMIT.default });
  },
});
ListEntriesQuerySchema.shape.cursor.register(z.globalRegistry, {
  description: 'Where the page starts: the `nextCursor` of the previous page, as it was (opaque; a cursor made up or altered answers 400).',
});

/** What each problem type means, for the reader who follows a problem's `type` URI. */
const PROBLEM_EXPLANATIONS: Record<ProblemKind, string> = {
  BadRequestProblem:
    'The request cannot be read: the body is not JSON, a query parameter, the cursor, the entry id or a header is malformed. `detail` names the part; fix it and send again.',
  UnauthorizedProblem: 'The token was accepted by API Gateway but names no subject (`sub`). Sign in again to get a token with one.',
  ForbiddenProblem:
    "The token's subject cannot key your entries: over 256 characters (no job message could carry it), over the bytes a DynamoDB key holds once it is part of the keys of your entries and tags (2,048; a non-ASCII subject takes up to 9 bytes a character), or not well-formed Unicode. Nothing is stored.",
  NotFoundProblem:
    'There is nothing here for you: the path is unknown, or the entry does not exist or belongs to someone else (the two look the same on purpose).',
  MethodNotAllowedProblem: 'The path exists but not with this method; the `Allow` header lists the methods it has.',
  ConflictProblem:
    'A request with the same Idempotency-Key is still being processed (retry shortly with the same key and body), or another edit of the entry landed while this PATCH was saved (GET the entry, then send the edit again).',
  PreconditionFailedProblem:
    'The entry is not at a revision your `If-Match` names: it was edited (or your tag is not one the API sent). Nothing changed. GET the entry, look at its text and `ETag`, and decide again.',
  PayloadTooLargeProblem: 'The body is larger than the API reads (128 KiB), which always holds a full entry of 10,000 characters.',
  UnsupportedMediaTypeProblem: 'The body is not sent as `Content-Type: application/json`.',
  UnprocessableContentProblem:
    'The JSON breaks a rule: `entry` is missing, not a string, empty, too long or not well-formed; or the Idempotency-Key was already used with another body.',
  QuotaExceededProblem:
    'You have created as many entries today (UTC) as your daily quota allows (`RateLimit-Policy` says how many); edits count too. Nothing was stored. `Retry-After` says in how many seconds the quota resets at midnight UTC; an Idempotency-Key replay of an earlier answer is never refused.',
  InternalServerErrorProblem: 'Something failed on our side. Retry; a POST with the same Idempotency-Key never creates a second entry.',
};

const problemRef = (kind: ProblemKind) => ({ $ref: `#/components/schemas/${kind}` });
const problemContent = (kind: ProblemKind) => ({ 'application/problem+json': { schema: problemRef(kind) } });
// Listed after the function's problem+json wherever both answer: tooling that picks a schema by
// media type (matching `application/problem+json` by its `+json` suffix) takes the first JSON match.
const gatewayContent = { 'application/json': { schema: GatewayErrorSchema } };

const stringHeader = (description: string) => ({ description, schema: { type: 'string' as const } });
const requiredHeader = (description: string, pattern: string) => ({
  description,
  required: true,
  schema: { type: 'string' as const, pattern },
});
const patternHeader = (description: string, pattern: string) => ({ description, schema: { type: 'string' as const, pattern } });
const retryAfter = (description: string) => patternHeader(description, '^[0-9]+$');

/** The IETF RateLimit headers of the daily entries quota (draft-ietf-httpapi-ratelimit-headers). */
const rateLimitHeaders = {
  'RateLimit-Policy': requiredHeader(
    `The daily entries quota: \`"${DAILY_ENTRIES_POLICY}";q=<entries per window>;w=${QUOTA_WINDOW_SECONDS}\` (the window is the UTC day).`,
    `^"${DAILY_ENTRIES_POLICY}";q=[0-9]+;w=${QUOTA_WINDOW_SECONDS}$`,
  ),
  RateLimit: requiredHeader(
    `Where you stand: \`"${DAILY_ENTRIES_POLICY}";r=<entries left today>;t=<seconds until the quota resets at midnight UTC>\`.`,
    `^"${DAILY_ENTRIES_POLICY}";r=[0-9]+;t=[0-9]+$`,
  ),
};

/** The answer to a new entry or an edit over the daily quota (or API Gateway's throttling). */
const quotaExceededResponse: ZodOpenApiResponseObject = {
  description:
    'Over your daily entries quota (a problem with `Retry-After` and the RateLimit headers), or throttled by API Gateway\'s stage rate limit (`{"message":"Too Many Requests"}`, without them).',
  headers: {
    'Retry-After': retryAfter('Seconds until the quota resets (midnight UTC); sent with the problem.'),
    'RateLimit-Policy': stringHeader(rateLimitHeaders['RateLimit-Policy'].description),
    RateLimit: stringHeader(rateLimitHeaders.RateLimit.description),
  },
  content: { ...problemContent('QuotaExceededProblem'), ...gatewayContent },
};

/** The answers every route behind the authorizer may give besides its own. */
const AUTHORIZED_ROUTE_ERRORS: Record<string, ZodOpenApiResponseObject> = {
  '401': {
    description:
      'No valid token: API Gateway\'s JWT authorizer answers `{"message":"Unauthorized"}`; a valid token without a subject gets a problem.',
    headers: { 'WWW-Authenticate': stringHeader('`Bearer`, with the reason when a token was sent.') },
    content: { ...problemContent('UnauthorizedProblem'), ...gatewayContent },
  },
  '403': { description: "The token's subject is too long for this API.", content: problemContent('ForbiddenProblem') },
  '429': {
    description: 'API Gateway throttled the request (stage rate limit): `{"message":"Too Many Requests"}`.',
    content: gatewayContent,
  },
  '500': {
    description:
      'Our fault: a problem from the function, or API Gateway\'s `{"message":"Internal Server Error"}` when the function failed or timed out.',
    content: { ...problemContent('InternalServerErrorProblem'), ...gatewayContent },
  },
};

const badRequest: ZodOpenApiResponseObject = {
  description: 'A malformed parameter, header or body.',
  content: problemContent('BadRequestProblem'),
};
const notFound: ZodOpenApiResponseObject = {
  description: "No such entry for the caller (missing and someone else's look the same).",
  content: problemContent('NotFoundProblem'),
};
const entryPath = { path: z.object({ id: EntryIdSchema.register(z.globalRegistry, { description: 'The entry id (a ULID).' }) }) };

/** The entity-tag of an entry: its revision, quoted. */
const etagHeader = patternHeader(
  'The entry\'s revision as a strong entity-tag (`"3"`): send it as `If-Match` to PATCH or DELETE only the revision you read. It changes with the text, not when tags arrive.',
  '^"[1-9][0-9]*"$',
);
const ifMatchHeader = z.object({
  'if-match': z.optional(z.string()).register(z.globalRegistry, {
    description:
      'Only if the entry is still at one of these revisions: the `ETag` of a GET or PATCH (`"3"`), a list of them, or `*` (any). Otherwise 412 and nothing changes. Weak tags (`W/"3"`) never match.',
    example: '"3"',
  }),
});
const preconditionFailed: ZodOpenApiResponseObject = {
  description: 'The entry is not at a revision the `If-Match` names; nothing changed.',
  content: problemContent('PreconditionFailedProblem'),
};

/** The answers to a body that breaks the rules. */
const bodyErrors: Record<string, ZodOpenApiResponseObject> = {
  '413': {
    description: 'The body is over 128 KiB (a problem), or over API Gateway\'s 10 MB (`{"message":"Request Entity Too Large"}`).',
    content: { ...problemContent('PayloadTooLargeProblem'), ...gatewayContent },
  },
  '415': { description: 'The body is not JSON.', content: problemContent('UnsupportedMediaTypeProblem') },
  '422': { description: 'The JSON breaks a rule of the entry.', content: problemContent('UnprocessableContentProblem') },
};

/** One operation per row of the route table; a row without one is a compile error. */
const OPERATIONS: Record<OperationId, Omit<ZodOpenApiOperationObject, 'operationId' | 'summary'>> = {
  createEntry: {
    description:
      'Stores the entry as `pending` and answers at once; its tech stack is extracted in the background. Send an `Idempotency-Key` to retry safely: a retry with the same key and body gets the first answer again and never a second entry. Each user may create a limited number of entries per UTC day (edits count too); the RateLimit headers say how many are left.',
    requestParams: {
      header: z.object({
        'idempotency-key': z.optional(IdempotencyKeySchema).register(z.globalRegistry, {
          description: 'Makes the POST safe to retry for 24 hours (1 to 255 visible ASCII characters).',
        }),
      }),
    },
    requestBody: { required: true, content: { 'application/json': { schema: EntryBodySchema } } },
    responses: {
      '202': {
        description: 'Accepted: the entry, `pending` until its tags are extracted.',
        headers: {
          Location: stringHeader('Where to GET the entry.'),
          'Retry-After': requiredHeader(
            'Seconds after which the tags are likely there; or GET the entry with `Prefer: wait=N` right away.',
            '^[0-9]+$',
          ),
          'Idempotent-Replayed': stringHeader(
            '`true` when this is the stored answer of an earlier request with the same key (which did not count against the quota again).',
          ),
          ...rateLimitHeaders,
        },
        content: { 'application/json': { schema: EntrySchema } },
      },
      '400': badRequest,
      '409': { description: 'The same Idempotency-Key is still being processed.', content: problemContent('ConflictProblem') },
      ...bodyErrors,
      '429': quotaExceededResponse,
    },
  },
  listEntries: {
    description: `The caller's entries, newest first, ${LIST_LIMIT.default} per page unless \`limit\` says otherwise. Pass \`nextCursor\` as \`cursor\` for the next page. With \`tag\`, only the entries carrying that tag (any case: \`django\` finds \`Django\`), read from a per-tag index, so the cost grows with those entries only; it follows taggings, edits and deletions a few seconds behind, and never lists an entry that no longer carries the tag. A request examines at most ${TAG_INDEX_ROWS_PER_REQUEST} rows of that index, so a page with \`tag\` may hold fewer entries than \`limit\` (even none) while \`nextCursor\` says more may follow.`,
    requestParams: { query: ListEntriesQuerySchema },
    responses: {
      '200': { description: 'A page of entries.', content: { 'application/json': { schema: EntryPageSchema } } },
      '400': badRequest,
    },
  },
  getEntry: {
    description: `The entry, \`pending\` until its tags are extracted. Send \`Prefer: wait=N\` (RFC 7240) to have the answer wait up to N seconds (at most ${PREFER_WAIT_MAX_SECONDS}) until the entry is \`done\` or \`failed\`, instead of polling. Each user holds at most a few waits open at once (${DEFAULT_MAX_OPEN_WAITS_PER_USER} unless the stage sets another number); over that, the GET answers at once as if no preference had been sent: the entry as it is, with \`Retry-After\` while it is pending, without \`Preference-Applied\`.`,
    requestParams: {
      ...entryPath,
      header: z.object({
        prefer: z.optional(z.string()).register(z.globalRegistry, {
          description: `\`wait=N\`: answer as soon as the entry is done or failed, or after N seconds with it still pending. N above ${PREFER_WAIT_MAX_SECONDS} counts as ${PREFER_WAIT_MAX_SECONDS}; a malformed preference is ignored.`,
          example: 'wait=10',
        }),
      }),
    },
    responses: {
      '200': {
        description: 'The entry.',
        headers: {
          ETag: etagHeader,
          'Preference-Applied': patternHeader(
            `\`wait=N\` when the request sent \`Prefer: wait\` and the API honoured it: the seconds it was prepared to wait (at most ${PREFER_WAIT_MAX_SECONDS}). Absent when the caller already holds as many waits open as allowed.`,
            '^wait=[0-9]+$',
          ),
          'Retry-After': retryAfter('Only while the entry is `pending`: seconds before it is worth asking again.'),
        },
        content: { 'application/json': { schema: EntrySchema } },
      },
      '400': badRequest,
      '404': notFound,
    },
  },
  editEntry: {
    description:
      'Replaces the text (the same rules as POST) and tags it again: the answer is the entry at its next `revision`, `pending`, without the old tags. A stored edit counts against the daily entries quota like a new entry; an edit that is refused (404, 409, 412, 429) or fails counts nothing, and the current text sent again changes nothing and counts nothing (200 with the entry as it is). An extraction of the old text that finishes later never overwrites the new tags. Based on the revision read: when another edit of the entry lands at the same moment, this one answers 409 and changes nothing; GET the entry and send it again. Send `If-Match` with the `ETag` you read to edit only that revision (412 otherwise).',
    requestParams: { ...entryPath, header: ifMatchHeader },
    requestBody: { required: true, content: { 'application/json': { schema: EntryBodySchema } } },
    responses: {
      '202': {
        description: 'Accepted: the entry at its new revision, `pending` until its tags are extracted again.',
        headers: {
          Location: stringHeader('Where to GET the entry.'),
          ETag: etagHeader,
          'Retry-After': requiredHeader(
            'Seconds after which the new tags are likely there; or GET the entry with `Prefer: wait=N` right away.',
            '^[0-9]+$',
          ),
          ...rateLimitHeaders,
        },
        content: { 'application/json': { schema: EntrySchema } },
      },
      '200': {
        description: "The text is the entry's current text: nothing changed, no quota was spent; the entry as it is.",
        headers: {
          ETag: etagHeader,
          'Retry-After': retryAfter('Only while the entry is `pending`: seconds before it is worth asking again.'),
        },
        content: { 'application/json': { schema: EntrySchema } },
      },
      '400': badRequest,
      '404': notFound,
      '409': {
        description: 'Another edit of the entry landed while this one was saved; nothing changed.',
        content: problemContent('ConflictProblem'),
      },
      '412': preconditionFailed,
      ...bodyErrors,
      '429': quotaExceededResponse,
    },
  },
  deleteEntry: {
    description:
      'Deletes the entry and everything derived from it: its tags leave the tag filter and the tech-stack profile (a few seconds later, like a tagging), and an extraction still under way finds it gone. The Idempotency-Key of the POST that created it is forgotten too. Deleting it again answers 404. Send `If-Match` with the `ETag` you read to delete only that revision (412 otherwise).',
    requestParams: { ...entryPath, header: ifMatchHeader },
    responses: {
      '204': { description: 'Deleted.' },
      '400': badRequest,
      '404': notFound,
      '412': preconditionFailed,
    },
  },
  getTechStack: {
    description: `The technologies of all your entries with how often and since when they appear, most used first (ties: the most recently seen, then by name), ${TECH_STACK_LIMIT.default} per page unless \`limit\` says otherwise (at most ${TECH_STACK_LIMIT.max}). Pass \`nextCursor\` as \`cursor\` for the next page. Kept up to date in the background from the entries (a few seconds behind a tagging); a page costs the same however many entries and technologies you have. A count that changes while you page can move a technology across the page boundary.`,
    requestParams: { query: TechStackQuerySchema },
    responses: {
      '200': {
        description: 'A page of the profile (empty `items` before any entry is tagged).',
        content: { 'application/json': { schema: TechStackSchema } },
      },
      '400': badRequest,
    },
  },
  getOpenApiDocument: {
    description: 'The document you are reading, generated from the schemas the API validates requests with and shapes answers with.',
    responses: {
      '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } },
      '500': { description: 'API Gateway could not reach the function.', content: gatewayContent },
    },
  },
};

/** The API's version, from package.json. */
function apiVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}

/** The OpenAPI 3.1 document of the whole API. */
export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, ZodOpenApiOperationObject>> = {};
  for (const route of API_ROUTES) {
    const operation = OPERATIONS[route.operationId];
    const responses = route.auth === 'jwt' ? { ...AUTHORIZED_ROUTE_ERRORS, ...operation.responses } : operation.responses;
    const pathItem = paths[route.path] ?? {};
    paths[route.path] = pathItem;
    pathItem[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...operation,
      ...(route.auth === 'none' ? { security: [] } : {}),
      responses,
    };
  }
  const problemSchemas = Object.fromEntries(
    (Object.keys(PROBLEM_TYPES) as ProblemKind[]).map((kind) => [
      kind,
      {
        description: PROBLEM_EXPLANATIONS[kind],
        allOf: [{ $ref: '#/components/schemas/Problem' }],
        properties: {
          type: { const: problemTypeUri(kind) },
          title: { const: PROBLEM_TYPES[kind].title },
          status: { const: PROBLEM_TYPES[kind].status },
        },
      },
    ]),
  );
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'devlog-tags API',
      version: apiVersion(),
      description:
        "Dev-log entries and the tech-stack tags extracted from them in the background. Every route but `GET /openapi.json` needs a JWT (`Authorization: Bearer <token>`). Errors are RFC 9457 problem+json; a problem's `type` points at its schema below, which explains it. Unknown paths answer 404 and known paths with another method 405 (with `Allow`), both as problems.",
    },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: ProblemSchema, GatewayError: GatewayErrorSchema, ...problemSchemas },
    },
  });
}

/** The document as committed in openapi.json. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
