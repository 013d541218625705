import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import openApiDocument from '../../../openapi.json' with { type: 'json' };
import { OWNER_ID_MAX_LENGTH } from '../../contract/index.js';
import { createEntry, type CreateEntryDeps } from '../domain/create-entry.js';
import { deleteEntry, type DeleteEntryDeps } from '../domain/delete-entry.js';
import { editEntry, type EditEntryDeps } from '../domain/edit-entry.js';
import { listEntriesByTag } from '../domain/list-entries-by-tag.js';
import { getEntry, listEntries } from '../domain/read-entries.js';
import { readTechStack } from '../domain/sync-entry-tags.js';
import type { TaggedEntries, TechStackReader } from '../domain/tech-stack-ports.js';
import { encodeCursor } from './cursor.js';
import {
  conflict,
  forbidden,
  internalError,
  methodNotAllowed,
  notFound,
  ProblemError,
  unauthorized,
  unprocessable,
} from './problem.js';
import { parseCreateEntryRequest, parseEditEntryRequest, parseEntryId, parseListEntriesRequest } from './requests.js';
import { dailyQuotaExceeded, rateLimitHeaders } from './quota-headers.js';
import { lookupRoute, type OperationId } from './routes.js';
import { entryResponse } from './schemas.js';

/** The API event: an HTTP API (v2) request that passed the JWT authorizer. */
export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
/** The API response. */
export type ApiResult = APIGatewayProxyStructuredResultV2;

/** What the router needs: the entry use cases' ports and the tech-stack totals. */
export type ApiDeps = CreateEntryDeps & EditEntryDeps & DeleteEntryDeps & { techStack: TechStackReader; taggedEntries: TaggedEntries };


const JSON_HEADERS = { 'content-type': 'application/json' };
const PROBLEM_HEADERS = { 'content-type': 'application/problem+json' };

/**
 * Routes a request to its use case. Every route of the HTTP API, `$default` included, lands
 * here, so unknown paths and methods get the same problem+json answers as everything else.
 */
export async function routeApiRequest(event: ApiEvent, deps: ApiDeps): Promise<ApiResult> {
  try {
    return await dispatch(event, deps);
  } catch (error) {
    if (error instanceof ProblemError) return problemResponse(error, event.rawPath);
    deps.logger.error('request failed', { error, path: event.rawPath });
    return problemResponse(
      internalError('Something went wrong on our side; retry with the same Idempotency-Key.'),
      event.rawPath,
    );
  }
}

/** A route's handler: the request, the matched path parameters, the caller. */
type RouteHandler = (event: ApiEvent, deps: ApiDeps, request: RouteRequest) => Promise<ApiResult>;

/** What the router found out before calling a route's handler. */
interface RouteRequest {
  pathParameters: Record<string, string>;
  /** The token's subject; empty on public routes. */
  ownerId: string;
}

/** One handler per row of the route table (./routes.ts); the type makes a missing one a compile error. */
const HANDLERS: Record<OperationId, RouteHandler> = {
  createEntry: (event, deps, { ownerId }) => postEntry(event, deps, ownerId),
  listEntries: (event, deps, { ownerId }) => getEntries(event, deps, ownerId),
  getEntry: async (_event, deps, { ownerId, pathParameters }) => {
    const id = parseEntryId(pathParameters.id);
    const entry = await getEntry(deps.entries, ownerId, id);
    if (!entry) throw notFound(`No entry '${id}' exists for you.`);
    return jsonResponse(200, entryResponse(entry));
  },
  editEntry: (event, deps, { ownerId, pathParameters }) => patchEntry(event, deps, ownerId, parseEntryId(pathParameters.id)),
  deleteEntry: async (_event, deps, { ownerId, pathParameters }) => {
    const id = parseEntryId(pathParameters.id);
    if (!(await deleteEntry(deps, ownerId, id))) throw notFound(`No entry '${id}' exists for you.`);
    return { statusCode: 204, headers: {} };
  },
  getTechStack: async (_event, deps, { ownerId }) => jsonResponse(200, await readTechStack(deps.techStack, ownerId)),
  getOpenApiDocument: async () => ({ statusCode: 200, headers: JSON_HEADERS, body: openApiDocumentBody() }),
};

let openApiDocumentText: string | undefined;

/** The committed openapi.json, serialised on first request rather than at every cold start. */
function openApiDocumentBody(): string {
  openApiDocumentText ??= JSON.stringify(openApiDocument);
  return openApiDocumentText;
}

async function dispatch(event: ApiEvent, deps: ApiDeps): Promise<ApiResult> {
  const lookup = lookupRoute(event.requestContext.http.method, event.rawPath);
  if (lookup.kind === 'no-route') {
    throw notFound(`There is no resource at '${truncatePath(event.rawPath)}'; the API serves /logs.`);
  }
  if (lookup.kind === 'method-not-allowed') throw methodNotAllowed(lookup.allow);
  const { route, pathParameters } = lookup;
  const ownerId = route.auth === 'jwt' ? ownerOf(event) : '';
  return HANDLERS[route.operationId](event, deps, { pathParameters, ownerId });
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
        ...rateLimitHeaders(result.quota),
      });
    }
  }
}

async function patchEntry(event: ApiEvent, deps: ApiDeps, ownerId: string, id: string): Promise<ApiResult> {
  const { entry } = parseEditEntryRequest(event);
  const result = await editEntry(deps, { ownerId, id, entry });
  switch (result.kind) {
    case 'not-found':
      throw notFound(`No entry '${id}' exists for you.`);
    case 'conflict':
      throw conflict('The entry was edited by another request while this edit was saved; GET it and send your edit again.');
    case 'accepted':
      return jsonResponse(202, entryResponse(result.entry), { location: `/logs/${id}` });
  }
}

async function getEntries(event: ApiEvent, deps: ApiDeps, ownerId: string): Promise<ApiResult> {
  const { limit, afterId, tag } = parseListEntriesRequest(event.queryStringParameters);
  const page =
    tag === undefined ? await listEntries(deps.entries, ownerId, limit, afterId) : await listEntriesByTag(deps, ownerId, tag, limit, afterId);
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
