/*
 * THE route table of the HTTP API. The stack (lib/devlog-api/devlog-api-stack.ts) creates one API Gateway
 * route per row, the local API gateway (local/api-gateway.ts) matches requests against the same
 * rows, the router (./router.ts) dispatches on their operation ids, and the OpenAPI document
 * has one operation per row; test/unit/api/http/routes.test.ts and the infra tests fail when
 * any of them drifts. Plain data, no imports: the CDK app and the local stack read it too.
 */

/** The HTTP methods API Gateway routes take. */
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `jwt`: behind the JWT authorizer (the default); `none`: public. */
export type RouteAuth = 'jwt' | 'none';

/** One route of the HTTP API. */
export interface ApiRoute {
  method: RouteMethod;
  /** API Gateway path template: `{name}` is one segment, `{name+}` the rest of the path. */
  path: string;
  /** The router's handler and the OpenAPI operation of this route. */
  operationId: string;
  auth: RouteAuth;
  summary: string;
}

/** Every route of the API, in the order the OpenAPI document lists them. */
export const API_ROUTES = [
  { method: 'POST', path: '/logs', operationId: 'createEntry', auth: 'jwt', summary: 'Accept a dev-log entry for tagging' },
  { method: 'GET', path: '/logs', operationId: 'listEntries', auth: 'jwt', summary: "List the caller's entries, newest first" },
  { method: 'GET', path: '/logs/{id}', operationId: 'getEntry', auth: 'jwt', summary: 'Read one entry and its tags' },
  { method: 'PATCH', path: '/logs/{id}', operationId: 'editEntry', auth: 'jwt', summary: 'Replace the text of an entry and tag it again' },
  {
    method: 'DELETE',
    path: '/logs/{id}',
    operationId: 'deleteEntry',
    auth: 'jwt',
    summary: 'Delete an entry and everything derived from it',
  },
  {
    method: 'GET',
    path: '/me/tech-stack',
    operationId: 'getTechStack',
    auth: 'jwt',
    summary: "The caller's tech-stack profile, most used first",
  },
  {
    method: 'GET',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    auth: 'none',
    summary: 'This OpenAPI document (no token needed)',
  },
] as const satisfies readonly ApiRoute[];

/** Operation ids of the routes; the router has one handler per id. */
export type OperationId = (typeof API_ROUTES)[number]['operationId'];

/**
 * Everything else reaches the function too, behind the authorizer, so unknown paths and
 * methods get problem+json answers like the rest instead of API Gateway's bare 404.
 */
const FALLBACK_ROUTE = { method: 'ANY', path: '/{proxy+}', auth: 'jwt' } as const;

/** A route as API Gateway has it. */
export interface GatewayRoute {
  method: RouteMethod | 'ANY';
  path: string;
  auth: RouteAuth;
}

/** The routes API Gateway has, in its match order: the table, then the fallback. */
export const GATEWAY_ROUTES: readonly GatewayRoute[] = [...API_ROUTES, FALLBACK_ROUTE];

/** A request matched to a route of the table. */
export interface RouteMatch {
  route: (typeof API_ROUTES)[number];
  /** Decoded path parameters, by the template's names. */
  pathParameters: Record<string, string>;
}

/** The outcome of matching a request against the table. */
export type RouteLookup =
  | ({ kind: 'route' } & RouteMatch)
  /** The path is one of ours, the method is not: the methods it has, sorted. */
  | { kind: 'method-not-allowed'; allow: RouteMethod[] }
  | { kind: 'no-route' };

const COMPILED = API_ROUTES.map((route) => ({ route, ...compilePath(route.path) }));

/** Matches a method and path against the table, like API Gateway matches its routes. */
export function lookupRoute(method: string, path: string): RouteLookup {
  const allow: RouteMethod[] = [];
  for (const { route, pattern, names } of COMPILED) {
    const match = pattern.exec(path);
    if (!match) continue;
    if (route.method !== method.toUpperCase()) {
      allow.push(route.method);
      continue;
    }
    const pathParameters = Object.fromEntries(names.map((name, index) => [name, decodeSegment(match[index + 1] ?? '')]));
    return { kind: 'route', route, pathParameters };
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow: allow.sort() } : { kind: 'no-route' };
}

/** The API Gateway route key of a row (`GET /logs/{id}`). */
export function routeKeyOf(route: { method: string; path: string }): string {
  return `${route.method} ${route.path}`;
}

/** Compiles an API Gateway path template to a regular expression and its parameter names. */
export function compilePath(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template.replace(/[.*?^$()|[\]\\]|\{([A-Za-z0-9_]+)(\+?)\}/g, (token, name?: string, greedy?: string) => {
    if (name === undefined) return `\\${token}`;
    names.push(name);
    return greedy ? '(.+)' : '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}$`), names };
}

function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
