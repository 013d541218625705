import { isUtf8 } from 'node:buffer';
import type { UsageMeter } from './metering/usage-meter.js';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { closeServer, listenOnLoopback, readBody } from './http-server.js';
import type { AuthorizedJwt, JwtAuthorizer } from './jwt.js';
import { fakeLambdaContext } from './lambda-context.js';
import { consoleLog, type LogLine } from './log.js';
import { LOCAL_RESOURCES } from './settings.js';
import { webPageHeaders } from './web-page-headers.js';
import { WEB_FUNCTION_TIMEOUTS_SECONDS } from '../lambdas/devlog-api/function-timeouts.js';
import { compilePath, GATEWAY_ROUTES, routeKeyOf, type RouteAuth } from '../lambdas/devlog-api/api/http/routes.js';

/*
 * Hand-written: serverless-offline and similar emulators come with the Serverless Framework
 * or SAM (Docker); this is the small part of API Gateway (HTTP API, payload format 2.0, JWT
 * authorizer) that our one Lambda integration needs.
 */

/** API Gateway HTTP API's payload limit. */
export const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** The deployed HTTP API's routes, from the one route table, in API Gateway's match order. */
const ROUTES = GATEWAY_ROUTES.map((route) => ({
  method: route.method as string,
  routeKey: routeKeyOf(route),
  auth: route.auth,
  ...compilePath(route.path),
}));

/** A Lambda handler behind an HTTP API with a JWT authorizer. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyResultV2>;

/** Options of the local API Gateway. */
export interface ApiGatewayOptions {
  /** 0 picks a free port. */
  port: number;
  handler: HttpApiHandler;
  authorize: JwtAuthorizer;
  /** Timeout of the API function; the deployed one's (WEB_FUNCTION_TIMEOUTS_SECONDS.api) when unset. */
  functionTimeoutSeconds?: number;
  /** Served at `GET /` without a token; local only (the deployed API has no such route). */
  webPage?: () => Promise<string>;
  log?: LogLine;
  /** Counts each API request and its access log line for the bench's bill (the local web page is not the API's). */
  meter?: UsageMeter;
}

/** A running local API Gateway. */
export interface LocalApiGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts an HTTP server on loopback that does what API Gateway does before and after the API function. */
export async function startApiGateway(options: ApiGatewayOptions): Promise<LocalApiGateway> {
  const { log = consoleLog } = options;
  const server = createServer((request, response) => {
    const started = performance.now();
    handleRequest(request, response, options)
      .catch((error: unknown) => {
        log(`local API gateway failed: ${(error as Error).stack ?? String(error)}`);
        if (!response.headersSent) send(response, 500, { message: 'Internal Server Error' });
        return undefined;
      })
      .then((note) => {
        const elapsed = Math.round(performance.now() - started);
        const url = new URL(request.url ?? '/', 'http://localhost');
        if (options.meter && !(options.webPage && url.pathname === '/')) {
          const headerBytes = request.rawHeaders.reduce((sum, part) => sum + Buffer.byteLength(part) + 2, 0);
          options.meter.httpApiRequest({
            requestBytes: headerBytes + Number(request.headers['content-length'] ?? 0),
            method: request.method ?? 'GET',
            path: url.pathname,
            status: response.statusCode,
            latencyMs: elapsed,
          });
        }
        log(`${request.method} ${request.url} ${response.statusCode} ${elapsed} ms${note ? ` (${note})` : ''}`);
      });
  });
  const port = await listenOnLoopback(server, options.port);
  return { url: `http://127.0.0.1:${port}`, port, stop: () => closeServer(server) };
}

/** Whether a Host header names this server by a loopback name: 127.0.0.1, localhost or [::1], with its port. */
function isLoopbackHost(host: string | undefined, port: number | undefined): boolean {
  if (host === undefined || port === undefined) return false;
  return ['127.0.0.1', 'localhost', '[::1]'].some((name) => host.toLowerCase() === `${name}:${port}`);
}

/** Handles one request; returns a note for the request log line. */
async function handleRequest(request: IncomingMessage, response: ServerResponse, options: ApiGatewayOptions): Promise<string | undefined> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = (request.method ?? 'GET').toUpperCase();

  if (options.webPage && method === 'GET' && url.pathname === '/') {
    // The page carries the dev token: a page on another site whose name resolves to 127.0.0.1
    // (DNS rebinding) could read it, and its requests name that site in Host.
    const port = (request.socket.address() as { port?: number }).port;
    if (!isLoopbackHost(request.headers.host, port)) {
      response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`The local web page is served only at http://127.0.0.1:${port}/ or http://localhost:${port}/.\n`);
      return `web page refused for Host ${JSON.stringify(request.headers.host ?? '')}`;
    }
    const html = await options.webPage();
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...webPageHeaders(html) });
    response.end(html);
    return undefined;
  }

  const declaredLength = Number(request.headers['content-length'] ?? 0);
  if (declaredLength > API_GATEWAY_MAX_PAYLOAD_BYTES) {
    send(response, 413, { message: 'Request Entity Too Large' }, { connection: 'close' });
    request.resume();
    return 'payload over 10 MB';
  }
  const { body, tooLarge } = await readBody(request, API_GATEWAY_MAX_PAYLOAD_BYTES);
  if (tooLarge) {
    send(response, 413, { message: 'Request Entity Too Large' });
    return 'payload over 10 MB';
  }

  const route = matchRoute(method, url.pathname);
  if (!route) {
    send(response, 404, { message: 'Not Found' });
    return 'no route';
  }
  let jwt: AuthorizedJwt | undefined;
  if (route.auth === 'jwt') {
    const authorization = await options.authorize(headerValue(request, 'authorization'));
    if (!authorization.ok) {
      send(
        response,
        401,
        { message: 'Unauthorized' },
        {
          'www-authenticate':
            authorization.reason === 'no token' ? 'Bearer' : `Bearer error="invalid_token" error_description="${authorization.reason}"`,
        },
      );
      return `unauthorized: ${authorization.reason}`;
    }
    jwt = authorization.jwt;
  }

  const event = toApiGatewayEvent({ request, url, method, body, route, jwt });
  const result = await invokeWithTimeout(options.handler, event, options.functionTimeoutSeconds ?? WEB_FUNCTION_TIMEOUTS_SECONDS.api);
  if (!result.ok) {
    // API Gateway hides function errors and timeouts behind a bare 500.
    send(response, 500, { message: 'Internal Server Error' }, { 'apigw-requestid': event.requestContext.requestId });
    return result.reason;
  }
  writeResult(response, result.value, event.requestContext.requestId);
  return undefined;
}

/** A matched route: its route key, path parameters and authorization. */
export interface MatchedRoute {
  routeKey: string;
  auth: RouteAuth;
  pathParameters?: Record<string, string>;
}

/** Matches a request to the deployed routes like API Gateway: exact method first, then ANY. */
export function matchRoute(method: string, path: string): MatchedRoute | undefined {
  for (const route of ROUTES) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const pathParameters = Object.fromEntries(route.names.map((name, index) => [name, decode(match[index + 1] ?? '')]));
    return {
      routeKey: route.routeKey,
      auth: route.auth,
      ...(route.names.length ? { pathParameters } : {}),
    };
  }
  return undefined;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** What an API Gateway v2 event is made of. */
export interface EventSource {
  request: IncomingMessage;
  url: URL;
  method: string;
  body: Buffer;
  route: MatchedRoute;
  /** The authorizer's verdict; absent on a public route. */
  jwt?: AuthorizedJwt;
}

/** Builds the payload format 2.0 event API Gateway sends to a Lambda integration. */
export function toApiGatewayEvent({ request, url, method, body, route, jwt }: EventSource): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (!values) continue;
    // Payload 2.0 moves cookies out of the headers into their own list.
    if (name === 'cookie') cookies = values.flatMap((value) => value.split(/;\s*/)).filter(Boolean);
    else headers[name] = values.join(',');
  }
  const rawQueryString = url.search.slice(1);
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] = name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const now = new Date();
  const requestId = randomBytes(10).toString('base64').replace(/=+$/, '=');
  const domainName = headers.host ?? '127.0.0.1';
  // An event is JSON text and cannot carry bytes that are not UTF-8 as a string: such a body
  // goes base64-encoded, whatever its content type, so the handler sees the bytes as sent.
  const sendsText = body.length === 0 || (isTextContentType(headers['content-type']) && isUtf8(body));
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters } : {}),
    ...(route.pathParameters ? { pathParameters: route.pathParameters } : {}),
    requestContext: {
      accountId: LOCAL_RESOURCES.accountId,
      apiId: 'local',
      // A public route's event has no authorizer context, as in API Gateway.
      ...(jwt ? { authorizer: { principalId: '', integrationLatency: 0, jwt } } : {}),
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: sendsText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !sendsText,
  };
  // One handler serves both kinds of route; it reads the authorizer only on JWT routes.
  return event as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/**
 * API Gateway passes text bodies as they are and base64-encodes everything else (forms
 * included); a body without a content type counts as binary.
 */
function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [mediaType = ''] = contentType.split(';');
  const essence = mediaType.trim().toLowerCase();
  return essence.startsWith('text/') || /[/+](json|xml|javascript)$/.test(essence);
}

/** `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.time`. */
function apiGatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(
    date.getUTCMinutes(),
  )}:${pad(date.getUTCSeconds())} +0000`;
}

async function invokeWithTimeout(
  handler: HttpApiHandler,
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  timeoutSeconds: number,
): Promise<{ ok: true; value: APIGatewayProxyResultV2 } | { ok: false; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: false; reason: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `function timed out after ${timeoutSeconds} s` }), timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([
      handler(event, fakeLambdaContext('devlog-api', timeoutSeconds)).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, reason: `function threw ${(error as Error)?.stack ?? String(error)}` }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Writes a payload 2.0 result; anything that is not a structured result is a 200 JSON body. */
function writeResult(response: ServerResponse, result: APIGatewayProxyResultV2, requestId: string): void {
  const structured: APIGatewayProxyStructuredResultV2 =
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? result
      : {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: typeof result === 'string' ? result : JSON.stringify(result),
        };
  const headers: Record<string, string | string[]> = { 'apigw-requestid': requestId };
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body =
    structured.body === undefined ? Buffer.alloc(0) : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(structured.statusCode ?? 200, { ...headers, 'content-length': String(body.length) });
  response.end(body);
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
