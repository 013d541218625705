import { base64url, generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../lambdas/devlog-api/api/http/cursor.js';
import { LOCAL_JWT_AUDIENCE, LOCAL_JWT_ISSUER, loadOrCreateSigningKey, type SigningKey } from '../../local/jwt.js';
import { rawRequest, type ApiClient, type RawResponse } from '../support/api-client.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait.js';

/*
 * A catalogue of bad requests, sent over HTTP to the running local stack (the API Gateway
 * stand-in with its JWT authorizer, and the real API handler behind it). Each has the status it
 * must get; what the handler answers must be problem+json (type, title, status, detail) that
 * names the problem without a stack trace or an internal message; what the gateway answers
 * itself (401, its 10 MB cap, no route) is its bare `{"message": ...}`, as API Gateway's.
 * Afterwards the stack must still serve a valid POST and GET.
 */

const USER = 'abuse-user';
const OTHER_USER = 'abuse-other-user';
const MISSING_ID = '01JDQ8Z6X4M1V9T3K7N2P5R8WA';

let test: TestStack;
let signingKey: SigningKey;
let token: string;
let client: ApiClient;
let otherClient: ApiClient;
/** An entry of OTHER_USER, which USER must not be able to see. */
let foreignId: string;
const strangerKey = generateKeyPair('RS256', { extractable: true });

beforeAll(async () => {
  test = await startTestStack();
  signingKey = await loadOrCreateSigningKey(test.dataDir);
  token = await test.stack.issueToken(USER);
  client = await test.client(USER);
  otherClient = await test.client(OTHER_USER);
  const foreign = await otherClient.post('Heute mit Django und Redis gearbeitet (fremder Eintrag).');
  expect(foreign.status).toBe(202);
  foreignId = foreign.body.id as string;
});

afterAll(async () => {
  await test?.stop();
});

/** Signs a token with the stack's own key unless told otherwise; claims default to a valid token for USER. */
async function signed(claims: JWTPayload = {}, options: { key?: 'own' | 'stranger'; omit?: (keyof JWTPayload)[] } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = { sub: USER, iss: LOCAL_JWT_ISSUER, aud: LOCAL_JWT_AUDIENCE, iat: now, exp: now + 600, ...claims };
  for (const name of options.omit ?? []) delete payload[name];
  const privateKey = options.key === 'stranger' ? (await strangerKey).privateKey : await importJWK(signingKey.privateJwk, 'RS256');
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: signingKey.privateJwk.kid, typ: 'JWT' }).sign(privateKey);
}

/** A JWT with `alg: none` and no signature, claiming to be USER. */
function unsignedToken(): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => base64url.encode(JSON.stringify(value));
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: USER, iss: LOCAL_JWT_ISSUER, aud: LOCAL_JWT_AUDIENCE, exp: now + 600 })}.`;
}

/** A valid token whose payload is swapped for another user's, signature kept. */
async function tamperedToken(): Promise<string> {
  const [header, , signature] = (await signed()).split('.');
  const now = Math.floor(Date.now() / 1000);
  const payload = base64url.encode(JSON.stringify({ sub: OTHER_USER, iss: LOCAL_JWT_ISSUER, aud: LOCAL_JWT_AUDIENCE, exp: now + 600 }));
  return `${header}.${payload}.${signature}`;
}

/** HS256 with the public key as the HMAC secret: the classic algorithm-confusion forgery. */
async function algorithmConfusionToken(): Promise<string> {
  const secret = new TextEncoder().encode(JSON.stringify(signingKey.publicJwk));
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: USER, iss: LOCAL_JWT_ISSUER, aud: LOCAL_JWT_AUDIENCE, exp: now + 600 })
    .setProtectedHeader({ alg: 'HS256', kid: signingKey.privateJwk.kid })
    .sign(secret);
}

/** What a case sends. */
interface BadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The bearer token; USER's valid one when omitted, none when null. */
  token?: string | null;
}

/** One entry of the catalogue. */
interface Case {
  name: string;
  request: () => BadRequest | Promise<BadRequest>;
  status: number;
  /** Who answers: the handler (problem+json) or the gateway in front of it (its exact body). */
  answeredBy: 'handler' | 'gateway';
  gatewayBody?: unknown;
  /** Extra checks on the answer. */
  check?: (response: RawResponse, problem: Record<string, unknown>) => void | Promise<void>;
}

const json = { 'content-type': 'application/json' };
const post = (body: string | Buffer, headers: Record<string, string> = json): BadRequest => ({
  method: 'POST',
  path: '/logs',
  headers,
  body,
});
const postEntry = (entry: unknown) => post(JSON.stringify({ entry }));
const unauthorized = (name: string, request: () => BadRequest | Promise<BadRequest>): Case => ({
  name,
  request,
  status: 401,
  answeredBy: 'gateway',
  gatewayBody: { message: 'Unauthorized' },
});
const getWith = async (bearer: string | Promise<string>): Promise<BadRequest> => ({ method: 'GET', path: '/logs', token: await bearer });
const handler = (name: string, status: number, request: Case['request'], check?: Case['check']): Case => ({
  name,
  request,
  status,
  answeredBy: 'handler',
  check,
});
const detailMentions = (pattern: RegExp) => (_response: RawResponse, problem: Record<string, unknown>) => {
  expect(problem.detail).toMatch(pattern);
};
/** The check of a request for another owner's entry: the answer reads exactly like a missing entry's. */
const answersLikeAMissingEntry = (_response: RawResponse, problem: Record<string, unknown>) => {
  expect(problem.detail).toBe(`No entry '${foreignId}' exists for you.`);
};

const CASES: Case[] = [
  // Tokens: the authorizer rejects them before the function runs, like API Gateway's.
  unauthorized('no Authorization header', () => ({ method: 'GET', path: '/logs', token: null })),
  unauthorized('an empty bearer token', () => ({ method: 'GET', path: '/logs', token: null, headers: { authorization: 'Bearer ' } })),
  unauthorized('a garbage token', () => getWith('not-a-jwt')),
  unauthorized('Basic credentials instead of a bearer token', () => ({
    method: 'GET',
    path: '/logs',
    token: null,
    headers: { authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` },
  })),
  unauthorized('an expired token', () => getWith(signed({ exp: Math.floor(Date.now() / 1000) - 60 }))),
  unauthorized('a token that is not valid yet (nbf in an hour)', () => getWith(signed({ nbf: Math.floor(Date.now() / 1000) + 3600 }))),
  unauthorized('a token without exp', () => getWith(signed({}, { omit: ['exp'] }))),
  unauthorized('an unsigned token (alg: none)', () => getWith(unsignedToken())),
  unauthorized('a token re-signed with another key under the same kid', () => getWith(signed({}, { key: 'stranger' }))),
  unauthorized("a token whose payload was swapped for another user's", () => getWith(tamperedToken())),
  unauthorized('an HS256 token keyed with the public key (algorithm confusion)', () => getWith(algorithmConfusionToken())),
  unauthorized('a token from another issuer', () => getWith(signed({ iss: 'https://evil.example' }))),
  unauthorized('a token for another audience', () => getWith(signed({ aud: 'some-other-app' }))),
  unauthorized('a POST with a forged token', async () => ({ ...post(JSON.stringify({ entry: 'Django' })), token: await tamperedToken() })),

  // Bodies that are not JSON, or not an object.
  handler('malformed JSON', 400, () => post('{"entry": "Django"'), detailMentions(/not valid JSON/)),
  handler('an empty body', 400, () => post('')),
  handler('a raw NUL byte inside a JSON string', 400, () => post(Buffer.from('{"entry":"Dja\u0000ngo"}'))),
  handler(
    'invalid UTF-8 inside a JSON string (stored as U+FFFD before)',
    400,
    () => post(Buffer.concat([Buffer.from('{"entry":"Django '), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])),
    detailMentions(/not valid UTF-8/),
  ),
  handler('a UTF-16 body labelled as such', 400, () =>
    post(Buffer.from('{"entry":"Django"}', 'utf16le'), { 'content-type': 'application/json; charset=utf-16' }),
  ),
  handler('a JSON array', 422, () => post('[{"entry":"Django"}]'), detailMentions(/JSON object/)),
  handler('a JSON string', 422, () => post('"Django"')),
  handler('a JSON number', 422, () => post('42')),
  handler('JSON null', 422, () => post('null')),
  handler('60,000 nested arrays (under the size cap)', 422, () => post('['.repeat(60_000) + ']'.repeat(60_000))),
  handler('an entry nested 50,000 arrays deep', 422, () => post(`{"entry":${'['.repeat(50_000)}"Django"${']'.repeat(50_000)}}`)),
  handler('100,000 nested arrays (over the size cap)', 413, () => post('['.repeat(100_000) + ']'.repeat(100_000))),
  handler('a 2 MB body', 413, () => post(JSON.stringify({ entry: 'Django '.repeat(300_000) })), detailMentions(/at most 131072/)),
  {
    name: "an 11 MB body (over API Gateway's 10 MB cap)",
    request: () => post(Buffer.alloc(11 * 1024 * 1024, 'a')),
    status: 413,
    answeredBy: 'gateway',
    gatewayBody: { message: 'Request Entity Too Large' },
  },

  // Content types.
  handler('text/plain', 415, () => post('{"entry":"Django"}', { 'content-type': 'text/plain' }), detailMentions(/application\/json/)),
  handler('no content type', 415, () => post('{"entry":"Django"}', {})),
  handler('a form', 415, () => post('entry=Django', { 'content-type': 'application/x-www-form-urlencoded' })),
  handler('multipart', 415, () => post('--x\r\n\r\nDjango\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' })),
  handler('a JSON look-alike type', 415, () => post('{"entry":"Django"}', { 'content-type': 'application/jsonp' })),

  // The entry field.
  handler('entry missing', 422, () => post('{"text":"Django"}'), detailMentions(/'entry' is required/)),
  handler('entry a number', 422, () => postEntry(42), detailMentions(/must be a string/)),
  handler('entry null', 422, () => postEntry(null)),
  handler('entry an array', 422, () => postEntry(['Django'])),
  handler('entry an object', 422, () => postEntry({ text: 'Django' })),
  handler('entry a huge number literal', 422, () => post('{"entry":1e999}')),
  handler('entry empty', 422, () => postEntry(''), detailMentions(/empty or only whitespace/)),
  handler('entry only whitespace', 422, () => postEntry(' \n\t\u00a0\u3000 ')),
  handler('entry only zero-width characters', 422, () => postEntry('\u200b\u200d\ufeff')),
  handler('entry of 10,001 characters', 422, () => postEntry('a'.repeat(10_001)), detailMentions(/at most 10000/)),
  handler('entry with an escaped NUL', 422, () => post('{"entry":"Django\\u0000Redis"}'), detailMentions(/NUL/)),
  handler('entry with a lone high surrogate', 422, () => post('{"entry":"Django \\ud800"}'), detailMentions(/well-formed/)),
  handler('entry with a lone low surrogate', 422, () => post('{"entry":"\\udc00 Django"}'), detailMentions(/well-formed/)),
  handler('a duplicate key whose last value is empty', 422, () => post('{"entry":"Django","entry":""}')),
  handler('entry only under __proto__', 422, () => post('{"__proto__":{"entry":"Django"}}'), detailMentions(/'entry' is required/)),
  handler('entry only under constructor.prototype', 422, () => post('{"constructor":{"prototype":{"entry":"Django"}}}')),
  handler('an Idempotency-Key of 256 characters', 400, () => post('{"entry":"Django"}', { ...json, 'idempotency-key': 'k'.repeat(256) })),
  handler('an Idempotency-Key with a space', 400, () => post('{"entry":"Django"}', { ...json, 'idempotency-key': 'my key' })),

  // Ids.
  handler('an id with a NUL', 400, () => ({ method: 'GET', path: '/logs/%00' }), detailMentions(/ULID/)),
  handler('an encoded path traversal as id', 400, () => ({ method: 'GET', path: '/logs/..%2F..%2Fetc%2Fpasswd' })),
  handler(
    'a 5 KB id',
    400,
    () => ({ method: 'GET', path: `/logs/${'A'.repeat(5_000)}` }),
    (_response, problem) => {
      expect(JSON.stringify(problem).length).toBeLessThan(1_000);
    },
  ),
  handler('a lower-case ULID', 400, () => ({ method: 'GET', path: `/logs/${MISSING_ID.toLowerCase()}` })),
  handler('a broken percent-encoding', 400, () => ({ method: 'GET', path: '/logs/%E0%A4%A' })),
  handler('a raw path traversal', 404, () => ({ method: 'GET', path: '/logs/../../etc/passwd' })),
  handler('an id that does not exist', 404, () => ({ method: 'GET', path: `/logs/${MISSING_ID}` })),
  handler("another owner's id", 404, () => ({ method: 'GET', path: `/logs/${foreignId}` }), answersLikeAMissingEntry),

  // Paging.
  handler('limit=0', 400, () => ({ method: 'GET', path: '/logs?limit=0' }), detailMentions(/'limit'/)),
  handler('limit=101', 400, () => ({ method: 'GET', path: '/logs?limit=101' })),
  handler('limit=-1', 400, () => ({ method: 'GET', path: '/logs?limit=-1' })),
  handler('limit=abc', 400, () => ({ method: 'GET', path: '/logs?limit=abc' })),
  handler('limit=1e2', 400, () => ({ method: 'GET', path: '/logs?limit=1e2' })),
  handler('limit given twice', 400, () => ({ method: 'GET', path: '/logs?limit=1&limit=2' })),
  handler('a garbage cursor', 400, () => ({ method: 'GET', path: '/logs?cursor=garbage!' }), detailMentions(/cursor/)),
  handler('a 5 KB cursor', 400, () => ({ method: 'GET', path: `/logs?cursor=${'A'.repeat(5_000)}` })),
  handler('a cursor pointing at a non-id', 400, () => ({
    method: 'GET',
    path: `/logs?cursor=${Buffer.from(JSON.stringify({ v: 1, after: '../OWNER#x' })).toString('base64url')}`,
  })),

  // Routes and methods.
  handler('an unknown path', 404, () => ({ method: 'GET', path: '/admin' })),
  handler('a path below an entry', 404, () => ({ method: 'GET', path: `/logs/${MISSING_ID}/tags` })),
  {
    name: 'POST to the root (no route at all)',
    request: () => ({ method: 'POST', path: '/', headers: json, body: '{}' }),
    status: 404,
    answeredBy: 'gateway',
    gatewayBody: { message: 'Not Found' },
  },
  handler(
    'DELETE /logs',
    405,
    () => ({ method: 'DELETE', path: '/logs' }),
    (response) => {
      expect(response.headers.allow).toBe('GET, POST');
    },
  ),
  handler('PATCH /logs', 405, () => ({ method: 'PATCH', path: '/logs', headers: json, body: '{}' })),
  handler(
    'PUT /logs/{id}',
    405,
    () => ({ method: 'PUT', path: `/logs/${MISSING_ID}`, headers: json, body: '{"entry":"x"}' }),
    (response) => {
      expect(response.headers.allow).toBe('DELETE, GET, PATCH');
    },
  ),
  handler("DELETE another owner's entry", 404, () => ({ method: 'DELETE', path: `/logs/${foreignId}` }), answersLikeAMissingEntry),
  handler("PATCH another owner's entry", 404, () => ({
    method: 'PATCH',
    path: `/logs/${foreignId}`,
    headers: json,
    body: '{"entry":"mine"}',
  })),
  handler('a tag filter of only whitespace', 400, () => ({ method: 'GET', path: '/logs?tag=%20%20' }), detailMentions(/'tag'/)),
  handler('POST /logs/{id}', 405, () => ({ method: 'POST', path: `/logs/${MISSING_ID}`, headers: json, body: '{"entry":"x"}' })),
];

/** What must never show in an answer: stack frames, source paths, internal error names. */
const LEAKS = [/\bat .+:\d+:\d+/, /\.ts\b/, /node_modules/, /\/work\//, /Exception/, /\bstack\b/i, /DynamoDB|SQS|ECONN|dynalite|fauxqs/];

async function send(request: BadRequest): Promise<RawResponse> {
  const bearer = request.token === undefined ? token : request.token;
  return rawRequest(test.apiUrl, {
    method: request.method,
    path: request.path,
    headers: { ...(bearer !== null ? { authorization: `Bearer ${bearer}` } : {}), ...request.headers },
    body: request.body,
  });
}

describe(`a catalogue of ${CASES.length} bad requests`, () => {
  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  for (const badCase of CASES) {
    it(`${badCase.name}: ${badCase.status}`, async () => {
      // Act
      const response = await send(await badCase.request());

      // Assert
      expect(response.status).toBe(badCase.status);
      for (const leak of LEAKS) expect(response.body).not.toMatch(leak);
      if (badCase.answeredBy === 'gateway') {
        expect(JSON.parse(response.body)).toEqual(badCase.gatewayBody);
        await badCase.check?.(response, {});
        return;
      }
      expect(response.headers['content-type']).toBe('application/problem+json');
      const problem = JSON.parse(response.body) as Record<string, unknown>;
      expect(problem).toMatchObject({
        type: expect.stringMatching(/^\/openapi\.json#\/components\/schemas\/[A-Za-z]+Problem$/),
        title: expect.any(String),
        status: badCase.status,
      });
      expect(problem.detail).toEqual(expect.stringMatching(/\S/));
      expect(String(problem.detail).length).toBeLessThan(400);
      await badCase.check?.(response, problem);
    });
  }
});

describe('what the catalogue must not reach', () => {
  it("a forged cursor pointing into another owner's entries pages only through the caller's own", async () => {
    // Arrange: a cursor that would start right after the other owner's entry, were the owner in it
    const cursor = encodeCursor(`${foreignId.slice(0, 25)}Z`);

    // Act
    const response = await send({ method: 'GET', path: `/logs?cursor=${cursor}&limit=100` });

    // Assert
    expect(response.status).toBe(200);
    const page = JSON.parse(response.body) as { items: { id: string; entry: string }[] };
    expect(page.items.map((item) => item.id)).not.toContain(foreignId);
    expect(response.body).not.toContain('fremder Eintrag');
  });

  it('prototype-pollution keys are ignored: the entry is accepted as any other, and no prototype changes', async () => {
    // Act
    const viaProto = await send(post('{"entry":"Heute Django","__proto__":{"polluted":"yes","status":"done"}}'));
    const viaConstructor = await send(post('{"entry":"Heute Redis","constructor":{"prototype":{"polluted":"yes"}}}'));

    // Assert: the stack runs in this process, so its prototypes are ours
    expect([viaProto.status, viaConstructor.status]).toEqual([202, 202]);
    expect(JSON.parse(viaProto.body)).toMatchObject({ entry: 'Heute Django', status: 'pending', tags: [] });
    expect(JSON.parse(viaProto.body)).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('status');
  });

  it('after the catalogue the stack still accepts a valid entry, serves it, and tags it', async () => {
    // Act
    const posted = await client.post('Heute habe ich eine Anwendung mit Django geschrieben, die Daten nach Elasticsearch schreibt.');
    const done = await waitFor(
      async () => {
        const entry = await client.get(posted.body.id as string);
        return entry?.status === 'done' ? entry : undefined;
      },
      { timeoutMs: 20_000, what: 'the valid entry to be tagged' },
    );

    // Assert
    expect(posted.status).toBe(202);
    expect(done.tags.map((tag) => tag.value)).toEqual(['Django', 'Elasticsearch']);
    expect(await otherClient.get(foreignId)).toMatchObject({ id: foreignId });
  });
});
