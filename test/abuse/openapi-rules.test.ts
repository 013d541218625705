import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routeApiRequest, type ApiResult } from '../../lambdas/devlog-api/api/http/router.js';
import { documentAllows } from '../support/openapi.js';
import { apiEvent } from '../unit/support/api-events.js';
import { fakeApiDeps } from '../unit/support/fake-api-ports.js';

/*
 * The document states every rule on a request's shape: requests are drawn near and across each
 * documented rule, judged by openapi.json's own schemas (ajv), and sent through the router. What
 * the document allows is never rejected for its shape (400, 413, 415, 422), and what it forbids
 * is rejected with a 4xx problem, so a client generated from it cannot send a request the API
 * refuses for its shape.
 */

const SHAPE_STATUSES = [400, 413, 415, 422];

function expectRejectedForShape(result: ApiResult): void {
  expect(SHAPE_STATUSES).toContain(result.statusCode);
  expect(result.headers?.['content-type']).toBe('application/problem+json');
}

/** Characters that sit on a rule's edge: whitespace and invisible format characters, NUL, lone and paired surrogates. */
const edgeChar = fc.constantFrom(
  ' ',
  '\t',
  '\n',
  '\u200b',
  '\u2060',
  '\ufeff',
  '\u00a0',
  '\u0000',
  '\ud800',
  '\udfff',
  '😀',
  'a',
  'ß',
  'İ',
  '#',
);

/** Text near the rules: short mixes of edge characters and ordinary text, and lengths around the limit in code points. */
const text = (limit: number) =>
  fc.oneof(
    fc.array(edgeChar, { maxLength: 6 }).map((chars) => chars.join('')),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
    fc
      .tuple(fc.integer({ min: limit - 2, max: limit + 2 }), fc.constantFrom('x', '😀', 'é', ' '))
      .map(([length, char]) => `${'a'}${char.repeat(Math.max(0, length - 1))}`),
  );

/** A POST /logs body: an object with an entry (any JSON value, mostly text near the rules) and maybe other fields, or not an object at all. */
const entryBody = fc.oneof(
  { weight: 6, arbitrary: fc.record({ entry: text(10_000) }) },
  { weight: 1, arbitrary: fc.record({ entry: fc.jsonValue() }) },
  { weight: 1, arbitrary: fc.record({ entry: text(10_000), note: fc.jsonValue({ maxDepth: 2 }) }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

const idempotencyKey = fc.option(
  fc.oneof(
    fc.string({ unit: fc.integer({ min: 0x20, max: 0x7f }).map((code) => String.fromCharCode(code)), maxLength: 260 }),
    fc.constantFrom('a'.repeat(255), 'a'.repeat(256), 'key with space', 'ключ'),
  ),
  { nil: undefined },
);

/** A `limit` as a client would write it: a number in its decimal form, or something else. */
const limit = fc.oneof(fc.integer({ min: -3, max: 205 }).map(String), fc.constantFrom('', 'abc', '1.5', '007', '1e1', ' 5'));

describe('what openapi.json allows is exactly what the API accepts', () => {
  it('POST /logs: a body and Idempotency-Key the document allows get 202; any other gets a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(entryBody, idempotencyKey, async (body, key) => {
        // Arrange
        const { deps } = fakeApiDeps();
        const allowed =
          documentAllows('POST', '/logs', { body }) &&
          (key === undefined || documentAllows('POST', '/logs', { in: 'header', name: 'Idempotency-Key', value: key }));
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          ...(key === undefined ? {} : { 'idempotency-key': key }),
        };

        // Act
        const result = await routeApiRequest(apiEvent({ method: 'POST', path: '/logs', headers, body: JSON.stringify(body) }), deps);

        // Assert
        if (allowed) expect(result.statusCode, result.body).toBe(202);
        else expectRejectedForShape(result);
      }),
      { numRuns: 400 },
    );
  });

  it('PATCH /logs/{id}: a body the document allows is never rejected for its shape', async () => {
    await fc.assert(
      fc.asyncProperty(entryBody, async (body) => {
        // Arrange
        const { deps } = fakeApiDeps();
        const created = await routeApiRequest(
          apiEvent({ method: 'POST', path: '/logs', headers: { 'content-type': 'application/json' }, body: '{"entry":"Used Kafka"}' }),
          deps,
        );
        const id = (JSON.parse(created.body ?? '{}') as { id: string }).id;

        // Act
        const result = await routeApiRequest(
          apiEvent({ method: 'PATCH', path: `/logs/${id}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
          deps,
        );

        // Assert
        if (documentAllows('PATCH', '/logs/{id}', { body })) expect(result.statusCode, result.body).toBe(202);
        else expectRejectedForShape(result);
      }),
      { numRuns: 200 },
    );
  });

  it('GET /logs: a limit and tag the document allows get 200; any other gets a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(limit, { nil: undefined }), fc.option(text(100), { nil: undefined }), async (limitValue, tag) => {
        // Arrange
        const { deps } = fakeApiDeps();
        const query: Record<string, string> = {};
        if (limitValue !== undefined) query.limit = limitValue;
        if (tag !== undefined) query.tag = tag;
        const allowed = Object.entries(query).every(([name, value]) => documentAllows('GET', '/logs', { in: 'query', name, value }));

        // Act
        const result = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs', query }), deps);

        // Assert
        if (allowed) expect(result.statusCode, result.body).toBe(200);
        else expectRejectedForShape(result);
      }),
      { numRuns: 400 },
    );
  });

  it('GET /logs/{id}: an id the document allows is looked up (404 when missing); any other gets 400', async () => {
    const ulidish = fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcz'), minLength: 24, maxLength: 28 });
    await fc.assert(
      fc.asyncProperty(ulidish, async (id) => {
        // Arrange
        const { deps } = fakeApiDeps();

        // Act
        const result = await routeApiRequest(apiEvent({ method: 'GET', path: `/logs/${id}` }), deps);

        // Assert
        if (documentAllows('GET', '/logs/{id}', { in: 'path', name: 'id', value: id })) expect(result.statusCode).toBe(404);
        else expect(result.statusCode).toBe(400);
      }),
      { numRuns: 300 },
    );
  });
});
