/*
 * Hand-written on purpose, not Powertools' HTTP router (@aws-lambda-powertools/event-handler/http,
 * 2.35.0, the line we pin): measured with the function's esbuild options (minify, ESM, node24,
 * main fields module,main, ssm-parameter.js external), importing that router alone bundles to
 * 25.5 KiB and adds 22.7 KiB to the API's index.mjs (485.0 -> 507.7 KiB) against its 490 KiB
 * budget (lib/shared/bundle-budgets.ts). Replacing it would save at most the 5.5 KiB this file
 * and routes.ts minify to (and routes.ts stays: the stack and the local gateway read its table),
 * so the API would be about 502 KiB: over budget. Remeasure when the budget or Powertools changes.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import openApiDocument from '../../../../openapi.json' with { type: 'json' };
import { awsCallBudget, OWNER_ID_MAX_LENGTH } from '../../../contract/index.js';
import { WEB_FUNCTION_TIMEOUTS_SECONDS } from '../../function-timeouts.js';
import { createEntry, type CreateEntryDeps } from '../../domain/create-entry.js';
import { deleteEntry, type DeleteEntryDeps } from '../../domain/delete-entry.js';
import { editEntry, type EditEntryDeps } from '../../domain/edit-entry.js';
import { listEntriesByTag } from '../../domain/list-entries-by-tag.js';
import { listEntries } from '../../domain/read-entries.js';
import { waitForEntry, type Sleeper, type WaitSlots } from '../../domain/wait-for-entry.js';
import { readTechStack } from '../../domain/sync-entry-tags.js';
import type { TaggedEntries, TechStackReader } from '../../domain/tech-stack-ports.js';
import { encodeCursor, encodeTechStackCursor } from './cursor.js';
import { ownerIdProblem } from './owner-keys.js';
import {
  conflict,
  forbidden,
  internalError,
  methodNotAllowed,
  notFound,
  preconditionFailed,
  ProblemError,
  unauthorized,
  unprocessable,
} from './problem.js';
import {
  parseCreateEntryRequest,
  parseEditEntryRequest,
  parseEntryId,
  parseListEntriesRequest,
  parseTechStackRequest,
} from './requests.js';
import { parseWaitPreference } from './prefer.js';
import { entityTag, parseIfMatch } from './preconditions.js';
import { dailyQuotaExceeded, rateLimitHeaders } from './quota-headers.js';
import { lookupRoute, type OperationId } from './routes.js';
import { entryResponse } from './schemas.js';

/** The API event: an HTTP API (v2) request that passed the JWT authorizer. */
export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
/** The API response. */
export type ApiResult = APIGatewayProxyStructuredResultV2;

/** What the router needs: the entry use cases' ports, the tech-stack totals and tag index, and how to pause while waiting. */
export type ApiDeps = CreateEntryDeps &
  EditEntryDeps &
  DeleteEntryDeps & { techStack: TechStackReader; taggedEntries: TaggedEntries; sleep: Sleeper; waitSlots: WaitSlots };

/** The invocation a request runs in (the Lambda context's remaining time). */
export interface Invocation {
  remainingTimeMs(): number;
}

/** An invocation with no deadline of its own (tests): the wait is bounded by PREFER_WAIT_MAX_SECONDS alone. */
const WITHOUT_DEADLINE: Invocation = { remainingTimeMs: () => Number.POSITIVE_INFINITY };

/**
 * What a waiting GET keeps of the invocation's time: one more read at its worst (the SDK
 * budget: attempts, timeouts, backoff) and time to answer, so it never runs into the timeout.
 */
export const WAIT_RESERVE_MS = awsCallBudget(WEB_FUNCTION_TIMEOUTS_SECONDS.api).worstCaseMs + 500;

/** `Retry-After` of a pending entry: tags usually arrive within a couple of seconds. */
export const PENDING_RETRY_AFTER_SECONDS = 2;

const JSON_HEADERS = { 'content-type': 'application/json' };
const PROBLEM_HEADERS = { 'content-type': 'application/problem+json' };

/**
 * Routes a request to its use case. Every route of the HTTP API, `$default` included, lands
 * here, so unknown paths and methods get the same problem+json answers as everything else.
 */
export async function routeApiRequest(event: ApiEvent, deps: ApiDeps, invocation: Invocation = WITHOUT_DEADLINE): Promise<ApiResult> {
  try {
    return await dispatch(event, deps, invocation);
  } catch (error) {
    if (error instanceof ProblemError) return problemResponse(error, event.rawPath);
    deps.logger.error('request failed', { error, path: event.rawPath });
    return problemResponse(internalError('Something went wrong on our side; retry with the same Idempotency-Key.'), event.rawPath);
  }
}

/** A route's handler: the request, the matched path parameters, the caller. */
type RouteHandler = (event: ApiEvent, deps: ApiDeps, request: RouteRequest) => Promise<ApiResult>;

/** What the router found out before calling a route's handler. */
interface RouteRequest {
  pathParameters: Record<string, string>;
  /** The token's subject; empty on public routes. */
  ownerId: string;
  invocation: Invocation;
}

/** One handler per row of the route table (./routes.ts); the type makes a missing one a compile error. */
const HANDLERS: Record<OperationId, RouteHandler> = {
  createEntry: (event, deps, { ownerId }) => postEntry(event, deps, ownerId),
  listEntries: (event, deps, { ownerId }) => getEntries(event, deps, ownerId),
  getEntry: (event, deps, request) => readEntry(event, deps, request),
  editEntry: (event, deps, { ownerId, pathParameters }) => patchEntry(event, deps, ownerId, parseEntryId(pathParameters.id)),
  deleteEntry: async (event, deps, { ownerId, pathParameters }) => {
    const id = parseEntryId(pathParameters.id);
    const result = await deleteEntry(deps, ownerId, id, parseIfMatch(event.headers?.['if-match']));
    if (result === 'not-found') throw entryNotFound(id);
    if (result === 'precondition-failed') throw revisionMismatch(id);
    return { statusCode: 204, headers: {} };
  },
  getTechStack: async (event, deps, { ownerId }) => {
    const { limit, after } = parseTechStackRequest(event.queryStringParameters);
    const page = await readTechStack(deps.techStack, ownerId, limit, after);
    return jsonResponse(200, { items: page.items, ...(page.after ? { nextCursor: encodeTechStackCursor(page.after) } : {}) });
  },
  getOpenApiDocument: async () => ({ statusCode: 200, headers: JSON_HEADERS, body: openApiDocumentBody() }),
};

let openApiDocumentText: string | undefined;

/** The committed openapi.json, serialised on first request rather than at every cold start. */
function openApiDocumentBody(): string {
  openApiDocumentText ??= JSON.stringify(openApiDocument);
  return openApiDocumentText;
}

async function dispatch(event: ApiEvent, deps: ApiDeps, invocation: Invocation): Promise<ApiResult> {
  const lookup = lookupRoute(event.requestContext.http.method, event.rawPath);
  if (lookup.kind === 'no-route') {
    throw notFound(`There is no resource at '${truncatePath(event.rawPath)}'; the API serves /logs.`);
  }
  if (lookup.kind === 'method-not-allowed') throw methodNotAllowed(lookup.allow);
  const { route, pathParameters } = lookup;
  const ownerId = route.auth === 'jwt' ? ownerOf(event) : '';
  return HANDLERS[route.operationId](event, deps, { pathParameters, ownerId, invocation });
}

async function postEntry(event: ApiEvent, deps: ApiDeps, ownerId: string): Promise<ApiResult> {
  const request = parseCreateEntryRequest(event);
  const result = await createEntry(deps, { ownerId, ...request });
  switch (result.kind) {
    case 'key-in-flight':
      throw conflict('A request with this Idempotency-Key is still being processed; retry shortly.');
    case 'key-reused-with-other-body':
      throw unprocessable('This Idempotency-Key was already used with a different body.');
    case 'over-quota':
      throw dailyQuotaExceeded(result.quota);
    case 'accepted': {
      const { response, replayed } = result;
      return jsonResponse(response.statusCode, response.body, {
        ...(response.location ? { location: response.location } : {}),
        ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
        'retry-after': String(PENDING_RETRY_AFTER_SECONDS),
        ...rateLimitHeaders(result.quota),
      });
    }
  }
}

/** A missing entry and someone else's get the same 404, by design. */
function entryNotFound(id: string): ProblemError {
  return notFound(`No entry '${id}' exists for you.`);
}

/** The 412 of a PATCH or DELETE whose If-Match names a revision the entry is not at. */
function revisionMismatch(id: string): ProblemError {
  return preconditionFailed(`Entry '${id}' changed since the revision your If-Match names; GET it (its ETag) and decide again.`);
}

async function patchEntry(event: ApiEvent, deps: ApiDeps, ownerId: string, id: string): Promise<ApiResult> {
  const { entry } = parseEditEntryRequest(event);
  const ifRevisionIn = parseIfMatch(event.headers?.['if-match']);
  const result = await editEntry(deps, { ownerId, id, entry, ...(ifRevisionIn ? { ifRevisionIn } : {}) });
  switch (result.kind) {
    case 'not-found':
      throw entryNotFound(id);
    case 'precondition-failed':
      throw revisionMismatch(id);
    case 'unchanged':
      return jsonResponse(200, entryResponse(result.entry), {
        etag: entityTag(result.entry.revision),
        ...(result.entry.status === 'pending' ? { 'retry-after': String(PENDING_RETRY_AFTER_SECONDS) } : {}),
      });
    case 'conflict':
      throw conflict('The entry was edited by another request while this edit was saved; GET it and send your edit again.');
    case 'over-quota':
      throw dailyQuotaExceeded(result.quota);
    case 'accepted':
      return jsonResponse(202, entryResponse(result.entry), {
        location: `/logs/${id}`,
        etag: entityTag(result.entry.revision),
        'retry-after': String(PENDING_RETRY_AFTER_SECONDS),
        ...rateLimitHeaders(result.quota),
      });
  }
}

/**
 * GET /logs/{id}, with `Prefer: wait=N`: answers once the entry is done or failed, or after N
 * seconds (capped, and cut short before the invocation's deadline) with it still pending. A user
 * holds at most MAX_OPEN_WAITS_PER_USER waits at once; over it the entry is answered at once, as
 * if no preference had been sent (no Preference-Applied).
 */
async function readEntry(event: ApiEvent, deps: ApiDeps, { ownerId, pathParameters, invocation }: RouteRequest): Promise<ApiResult> {
  const id = parseEntryId(pathParameters.id);
  const preferredSeconds = parseWaitPreference(event.headers?.prefer);
  const waitMs =
    preferredSeconds === undefined ? 0 : Math.min(preferredSeconds * 1000, Math.max(0, invocation.remainingTimeMs() - WAIT_RESERVE_MS));
  const { entry, preferenceApplied } = await waitForEntry(deps, ownerId, id, { waitMs, leaseMs: waitMs + WAIT_RESERVE_MS });
  if (!entry) throw entryNotFound(id);
  return jsonResponse(200, entryResponse(entry), {
    etag: entityTag(entry.revision),
    ...(preferredSeconds !== undefined && preferenceApplied ? { 'preference-applied': `wait=${Math.floor(waitMs / 1000)}` } : {}),
    ...(entry.status === 'pending' ? { 'retry-after': String(PENDING_RETRY_AFTER_SECONDS) } : {}),
  });
}

async function getEntries(event: ApiEvent, deps: ApiDeps, ownerId: string): Promise<ApiResult> {
  const { limit, afterId, tag } = parseListEntriesRequest(event.queryStringParameters);
  const page =
    tag === undefined
      ? await listEntries(deps.entries, ownerId, limit, afterId)
      : await listEntriesByTag(deps, ownerId, tag, limit, afterId);
  return jsonResponse(200, {
    items: page.items.map(entryResponse),
    ...(page.lastId ? { nextCursor: encodeCursor(page.lastId) } : {}),
  });
}

function ownerOf(event: ApiEvent): string {
  const sub = event.requestContext.authorizer?.jwt?.claims?.sub;
  if (typeof sub !== 'string' || sub.length === 0) throw unauthorized('The token has no subject.');
  // Checked here, before anything is stored: a longer owner id fits no job message, so its
  // entries would be accepted and never tagged.
  if (sub.length > OWNER_ID_MAX_LENGTH) {
    throw forbidden(`The token's subject is longer than the ${OWNER_ID_MAX_LENGTH} characters this API supports.`);
  }
  // And in bytes, against every key it becomes part of: DynamoDB would refuse an overlong key (a 500).
  const keyProblem = ownerIdProblem(sub);
  if (keyProblem) throw forbidden(keyProblem);
  return sub;
}

function truncatePath(path: string): string {
  return path.length > 80 ? `${path.slice(0, 80)}...` : path;
}

function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

function problemResponse(error: ProblemError, path: string): ApiResult {
  return {
    statusCode: error.status,
    headers: { ...PROBLEM_HEADERS, ...error.headers },
    body: JSON.stringify(error.toProblem(truncatePath(path))),
  };
}
