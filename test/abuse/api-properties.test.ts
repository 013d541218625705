import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routeApiRequest, type ApiResult } from '../../lambdas/devlog-api/api/http/router.js';
import { apiEvent } from '../unit/support/api-events.js';
import { fakeApiDeps } from '../unit/support/fake-api-ports.js';

/*
 * Properties of the whole request path of the API handler (router, validators, use case) over
 * in-memory ports: whatever a client sends, the answer is a 202 with the stored entry or a 4xx
 * problem+json, never a 5xx, never a half-stored entry. The validator's own properties live in
 * test/unit/api/http/requests.test.ts; these add the router and the use case around it.
 */

const ENTRY_VIEW_KEYS = ['createdAt', 'entry', 'id', 'revision', 'status', 'tags', 'updatedAt'];

/** Asserts the answer is a 202 with an entry or a well-formed 4xx problem; returns which. */
function expectAcceptedOrProblem(result: ApiResult): 'accepted' | 'problem' {
  const body = JSON.parse(result.body ?? 'null') as Record<string, unknown>;
  if (result.statusCode === 202) {
    expect(Object.keys(body).sort()).toEqual(ENTRY_VIEW_KEYS);
    return 'accepted';
  }
  expect(result.statusCode).toBeGreaterThanOrEqual(400);
  expect(result.statusCode).toBeLessThan(500);
  expect(result.headers?.['content-type']).toBe('application/problem+json');
  expect(body).toEqual({
    type: expect.stringMatching(/^\/openapi\.json#\/components\/schemas\/[A-Za-z]+Problem$/),
    title: expect.any(String),
    status: result.statusCode,
    detail: expect.stringMatching(/\S/),
    instance: expect.any(String),
  });
  return 'problem';
}

/** Bodies a client might send: any JSON value, JSON-ish junk, objects with an entry of any shape. */
const anyBody = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify({ entry: value })),
  fc.string({ unit: 'binary' }).map((entry) => JSON.stringify({ entry })),
  fc.string(),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((units) => JSON.stringify({ entry: String.fromCharCode(...units) })),
);

/** Keys that have tripped up JavaScript object handling before. */
const trickyKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'entry ', 'ENTRY', '');

/** An entry a user may send: visible text, at most 10,000 characters, no NUL, well-formed. */
const validEntry = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 200 })
  .filter((entry) => /[^\s\p{Cf}]/u.test(entry) && !entry.includes('\u0000'));

describe('the API handler, for any request', () => {
  it('answers any POST body with 202 and one stored entry, or a 4xx problem and nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyBody,
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', undefined),
        fc.boolean(),
        fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        async (body, contentType, base64, idempotencyKey) => {
          // Arrange
          const { deps, entries, jobs } = fakeApiDeps();
          const headers: Record<string, string> = {};
          if (contentType) headers['content-type'] = contentType;
          if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
          const event = apiEvent({
            method: 'POST',
            path: '/logs',
            headers,
            body: base64 ? Buffer.from(body, 'latin1').toString('base64') : body,
            isBase64Encoded: base64,
          });

          // Act
          const result = await routeApiRequest(event, deps);

          // Assert
          const outcome = expectAcceptedOrProblem(result);
          expect(entries.entries.size).toBe(outcome === 'accepted' ? 1 : 0);
          expect(jobs.sent).toHaveLength(outcome === 'accepted' ? 1 : 0);
          expect(deps.logger.error).not.toHaveBeenCalled();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts a valid entry whatever other fields come with it, stores exactly the entry, and shows nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(validEntry, fc.dictionary(trickyKey, fc.jsonValue(), { maxKeys: 5 }), async (entry, extra) => {
        // Arrange: the extra fields go first, so a later `entry` wins as JSON.parse decides
        const { deps, entries } = fakeApiDeps();
        const body = `{${[...Object.entries(extra).map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`), `"entry":${JSON.stringify(entry)}`].join(',')}}`;

        // Act
        const result = await routeApiRequest(
          apiEvent({ method: 'POST', path: '/logs', headers: { 'content-type': 'application/json' }, body }),
          deps,
        );

        // Assert
        expect(expectAcceptedOrProblem(result)).toBe('accepted');
        const stored = [...entries.entries.values()];
        expect(stored).toHaveLength(1);
        expect(stored[0]).toMatchObject({ entry, status: 'pending', tags: [], ownerId: 'user-a' });
        expect(JSON.parse(result.body ?? '{}').entry).toBe(entry);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('never answers a GET with anything but 200 or a 4xx problem, whatever the path and query', async () => {
    const segment = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('logs', '..', '%00', '%2F', '01JDQ8Z6X4M1V9T3K7N2P5R8WA'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 0, maxLength: 4 }),
        fc.dictionary(fc.constantFrom('limit', 'cursor', 'x'), fc.string({ maxLength: 40 }), { maxKeys: 3 }),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        async (segments, query, method) => {
          // Arrange
          const { deps } = fakeApiDeps();
          const path = `/${segments.join('/')}`;

          // Act
          const result = await routeApiRequest(
            apiEvent({ method, path, query, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' }),
            deps,
          );

          // Assert
          if (result.statusCode === 200) expect(method).toBe('GET');
          else expectAcceptedOrProblem(result);
          expect(deps.logger.error).not.toHaveBeenCalled();
        },
      ),
      { numRuns: 300 },
    );
  });
});
