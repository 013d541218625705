import type { ApiEvent } from '../../../lambdas/devlog-api/api/http/router.js';

/** Options of a fake API Gateway HTTP API (v2) event. */
export interface ApiEventOptions {
  method: string;
  path: string;
  /** JWT subject; `null` builds an event without one. */
  sub?: string | null;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
}

/** Builds an HTTP API (v2) event as API Gateway hands it over after the JWT authorizer. */
export function apiEvent(options: ApiEventOptions): ApiEvent {
  const { method, path, sub = 'user-a', headers = {}, body, isBase64Encoded = false, query, pathParameters } = options;
  const claims: Record<string, string> = sub === null ? {} : { sub };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query ? new URLSearchParams(query).toString() : '',
    headers,
    queryStringParameters: query,
    pathParameters,
    body,
    isBase64Encoded,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
      requestId: 'request-1',
      routeKey: '$default',
      stage: '$default',
      time: '23/Nov/2026:10:00:00 +0000',
      timeEpoch: 1_795_000_000_000,
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims, scopes: [] },
      },
    },
  };
}

/** A POST /logs event with a JSON body. */
export function postEntryEvent(body: unknown, headers: Record<string, string> = {}, sub?: string | null): ApiEvent {
  return apiEvent({
    method: 'POST',
    path: '/logs',
    sub,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
