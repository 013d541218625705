import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApiGateway, type LocalApiGateway } from '../../local/api-gateway.js';
import {
  createJwtAuthorizer,
  issueLocalToken,
  LOCAL_JWT_AUDIENCE,
  LOCAL_JWT_ISSUER,
  loadOrCreateSigningKey,
  type SigningKey,
} from '../../local/jwt.js';

/*
 * The local API Gateway in front of a recording handler: the event it builds, the JWT checks
 * it makes before the function runs, and the limits it enforces.
 */

let dataDir: string;
let key: SigningKey;
let gateway: LocalApiGateway;
const events: APIGatewayProxyEventV2WithJWTAuthorizer[] = [];
let respond: (event: APIGatewayProxyEventV2WithJWTAuthorizer) => Promise<APIGatewayProxyResultV2>;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'devlog-gateway-'));
  key = await loadOrCreateSigningKey(dataDir);
  gateway = await startApiGateway({
    port: 0,
    handler: async (event) => {
      events.push(event);
      return respond(event);
    },
    authorize: createJwtAuthorizer({ publicJwk: key.publicJwk }),
    webPage: async () => '<html>page</html>',
    log: () => {},
  });
});

afterAll(async () => {
  await gateway?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  events.length = 0;
  respond = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });
});

/** Signs a token with the local key, or another, with any claims a test needs. */
async function token(
  claims: Record<string, unknown>,
  options: { alg?: string; signingKey?: SigningKey; secret?: Uint8Array; withoutKid?: boolean } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ sub: 'alice', iss: LOCAL_JWT_ISSUER, aud: LOCAL_JWT_AUDIENCE, iat: now, exp: now + 600, ...claims });
  const kid = options.withoutKid ? {} : { kid: key.privateJwk.kid };
  if (options.secret) return jwt.setProtectedHeader({ alg: 'HS256', ...kid }).sign(options.secret);
  const signer = options.signingKey ?? key;
  return jwt.setProtectedHeader({ alg: 'RS256', ...kid }).sign(await importJWK(signer.privateJwk, 'RS256'));
}

describe('event', () => {
  it('turns a request into an HTTP API payload 2.0 event with the authorizer claims', async () => {
    const bearer = await issueLocalToken(key, 'alice', { scopes: ['logs/read', 'logs/write'] });
    const headers = {
      authorization: `Bearer ${bearer}`,
      'content-type': 'application/json',
      'user-agent': 'test-agent',
      cookie: 'a=1; b=2',
    };

    const response = await fetch(`${gateway.url}/logs?tag=a&tag=b&limit=5`, { method: 'POST', headers, body: '{"entry":"Django"}' });

    expect(response.status).toBe(200);
    const [event] = events;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /logs',
      rawPath: '/logs',
      rawQueryString: 'tag=a&tag=b&limit=5',
      queryStringParameters: { tag: 'a,b', limit: '5' },
      cookies: ['a=1', 'b=2'],
      body: '{"entry":"Django"}',
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'POST', path: '/logs', sourceIp: '127.0.0.1', userAgent: 'test-agent' },
        routeKey: 'POST /logs',
        stage: '$default',
        authorizer: {
          jwt: { claims: { sub: 'alice', iss: LOCAL_JWT_ISSUER, aud: LOCAL_JWT_AUDIENCE }, scopes: ['logs/read', 'logs/write'] },
        },
      },
    });
    expect(event?.headers).not.toHaveProperty('cookie');
    expect(typeof event?.requestContext.authorizer.jwt.claims.exp).toBe('string');
    expect(event?.requestContext.requestId).toBeTruthy();
    expect(response.headers.get('apigw-requestid')).toBe(event?.requestContext.requestId);
  });

  it('joins repeated headers with commas', async () => {
    const bearer = await issueLocalToken(key, 'alice');

    await new Promise<void>((resolve, reject) => {
      const request = httpRequest(
        `${gateway.url}/logs`,
        { headers: { authorization: `Bearer ${bearer}`, 'x-multi': ['one', 'two'] } },
        (response) => {
          response.resume();
          response.on('end', resolve);
        },
      );
      request.on('error', reject);
      request.end();
    });

    expect(events[0]?.headers['x-multi']).toBe('one,two');
  });

  it('fills pathParameters for /logs/{id} and routes unknown paths to {proxy+}', async () => {
    const headers = { authorization: `Bearer ${await issueLocalToken(key, 'alice')}` };

    await fetch(`${gateway.url}/logs/01JDQ8Z6X4M1V9T3K7N2P5R8WA`, { headers });
    await fetch(`${gateway.url}/other/thing`, { method: 'DELETE', headers });

    expect(events.map((event) => [event.routeKey, event.pathParameters])).toEqual([
      ['GET /logs/{id}', { id: '01JDQ8Z6X4M1V9T3K7N2P5R8WA' }],
      ['ANY /{proxy+}', { proxy: 'other/thing' }],
    ]);
  });

  it('base64-encodes bodies that are not text', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251]);

    await fetch(`${gateway.url}/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await issueLocalToken(key, 'alice')}`, 'content-type': 'application/octet-stream' },
      body: bytes,
    });

    expect(events[0]).toMatchObject({ isBase64Encoded: true, body: bytes.toString('base64') });
  });

  it('base64-encodes a JSON body that is not valid UTF-8, which an event cannot carry as text', async () => {
    const bytes = Buffer.concat([Buffer.from('{"entry": "Django '), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);

    await fetch(`${gateway.url}/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await issueLocalToken(key, 'alice')}`, 'content-type': 'application/json' },
      body: bytes,
    });

    expect(events[0]).toMatchObject({ isBase64Encoded: true, body: bytes.toString('base64') });
  });
});

/** A GET with a Host header of our choice (fetch does not let a caller set Host). */
function getWithHost(pathname: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: gateway.port, path: pathname, headers: { host } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

describe('JWT authorizer', () => {
  const otherKeyDir = () => mkdtemp(path.join(tmpdir(), 'devlog-other-key-'));

  it.each([
    ['no Authorization header', async () => undefined],
    ['a malformed token', async () => 'Bearer not.a.jwt'],
    ['an expired token', async () => `Bearer ${await token({ exp: Math.floor(Date.now() / 1000) - 60 })}`],
    ['a token not valid yet (nbf)', async () => `Bearer ${await token({ nbf: Math.floor(Date.now() / 1000) + 600 })}`],
    ['another issuer', async () => `Bearer ${await token({ iss: 'https://evil.example' })}`],
    ['another audience', async () => `Bearer ${await token({ aud: 'someone-else' })}`],
    ['no expiry', async () => `Bearer ${await token({ exp: undefined })}`],
    ['no key id (kid) in the header', async () => `Bearer ${await token({}, { withoutKid: true })}`],
    ['an issue time in the future (iat)', async () => `Bearer ${await token({ iat: Math.floor(Date.now() / 1000) + 600 })}`],
    [
      'another audience with a matching client_id (aud wins)',
      async () => `Bearer ${await token({ aud: 'someone-else', client_id: LOCAL_JWT_AUDIENCE })}`,
    ],
    ['an HMAC signature', async () => `Bearer ${await token({}, { secret: new TextEncoder().encode('x'.repeat(32)) })}`],
    [
      'a signature by another key with the same key id',
      async () => {
        const dir = await otherKeyDir();
        try {
          return `Bearer ${await token({}, { signingKey: await loadOrCreateSigningKey(dir) })}`;
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    ],
  ])('answers 401 like API Gateway and never calls the function for %s', async (_case, authorization) => {
    const value = await authorization();

    const response = await fetch(`${gateway.url}/logs`, { headers: value ? { authorization: value } : {} });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(events).toHaveLength(0);
  });

  it('accepts a token without aud whose client_id is the audience, like a Cognito access token', async () => {
    const response = await fetch(`${gateway.url}/logs`, {
      headers: { authorization: `Bearer ${await token({ aud: undefined, client_id: LOCAL_JWT_AUDIENCE })}` },
    });

    expect(response.status).toBe(200);
  });

  it('accepts a token without the Bearer prefix, as API Gateway does', async () => {
    const response = await fetch(`${gateway.url}/logs`, { headers: { authorization: await issueLocalToken(key, 'bob') } });

    expect(response.status).toBe(200);
    expect(events[0]?.requestContext.authorizer.jwt.claims.sub).toBe('bob');
  });
});

describe('limits and failures', () => {
  it('rejects a payload over 10 MB with 413 before the function runs', async () => {
    const response = await fetch(`${gateway.url}/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await issueLocalToken(key, 'alice')}`, 'content-type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });

    expect(response.status).toBe(413);
    expect(events).toHaveLength(0);
  });

  it('hides a function error behind a bare 500', async () => {
    respond = async () => {
      throw new Error('boom: internal detail');
    };

    const response = await fetch(`${gateway.url}/logs`, { headers: { authorization: `Bearer ${await issueLocalToken(key, 'alice')}` } });

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('passes the function status, headers, cookies and base64 bodies through', async () => {
    respond = async () => ({
      statusCode: 202,
      headers: { location: '/logs/1', 'content-type': 'application/octet-stream' },
      cookies: ['session=1; HttpOnly'],
      body: Buffer.from('binary!').toString('base64'),
      isBase64Encoded: true,
    });

    const response = await fetch(`${gateway.url}/logs`, { headers: { authorization: `Bearer ${await issueLocalToken(key, 'alice')}` } });

    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe('/logs/1');
    expect(response.headers.get('set-cookie')).toBe('session=1; HttpOnly');
    expect(Buffer.from(await response.arrayBuffer()).toString()).toBe('binary!');
  });

  it.each(['127.0.0.1', 'localhost', '[::1]', 'LOCALHOST'])('serves the web page to the loopback host %s with the port', async (name) => {
    const response = await getWithHost('/', `${name}:${gateway.port}`);

    expect(response.status).toBe(200);
    expect(response.body).toBe('<html>page</html>');
  });

  it.each([
    ['another site (DNS rebinding)', () => `attacker.example:${gateway.port}`],
    ['a loopback name without the port', () => '127.0.0.1'],
    ['a loopback name with another port', () => `localhost:${gateway.port + 1}`],
    ['a look-alike name', () => `localhost.attacker.example:${gateway.port}`],
  ])('refuses the web page, and so the dev token, to %s', async (_case, host) => {
    const response = await getWithHost('/', host());

    expect(response.status).toBe(403);
    expect(response.body).not.toContain('<html>');
  });

  it('serves the local web page at / without a token', async () => {
    const response = await fetch(`${gateway.url}/`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await response.text()).toBe('<html>page</html>');
  });
});

describe('public routes of the route table', () => {
  it('passes GET /openapi.json to the function without a token and without authorizer context', async () => {
    // Act
    const response = await fetch(`${gateway.url}/openapi.json`);

    // Assert
    expect(response.status).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0]!.routeKey).toBe('GET /openapi.json');
    expect(events[0]!.requestContext.authorizer).toBeUndefined();
  });

  it('still asks for a token on every other method of that path', async () => {
    // Act
    const response = await fetch(`${gateway.url}/openapi.json`, { method: 'DELETE' });

    // Assert
    expect(response.status).toBe(401);
    expect(events).toHaveLength(0);
  });
});
