import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPES, problemTypeUri } from '../../../lambdas/devlog-api/api/http/problem.js';
import { routeApiRequest, type ApiResult } from '../../../lambdas/devlog-api/api/http/router.js';
import { API_ROUTES, routeKeyOf } from '../../../lambdas/devlog-api/api/http/routes.js';
import { renderClientTypes } from '../../../tools/devlog-api/openapi/client-types.js';
import { renderOpenApiDocument } from '../../../tools/devlog-api/openapi/document.js';
import { type RoutesDocument, withRoutesTable } from '../../../tools/devlog-api/openapi/readme-routes.js';
import { expectAnswerMatchesDocument } from '../../support/openapi.js';
import { apiEvent, postEntryEvent } from '../support/api-events.js';
import { fakeApiDeps } from '../support/fake-api-ports.js';

const committed = readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8');
const document = JSON.parse(committed) as {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; security?: unknown[] }>>;
  components: { schemas: Record<string, { description?: string; properties?: { type?: { const?: string } } }> };
};
const MISSING_ID = '01JDQ8Z6X4M1V9T3K7N2P5ZZZZ';

function answer(result: ApiResult) {
  return { status: result.statusCode ?? 200, headers: (result.headers ?? {}) as Record<string, string>, body: result.body ?? '' };
}

describe('openapi.json', () => {
  it('is what `npm run openapi` generates from the route table and the schemas (not stale)', () => {
    expect(committed, 'openapi.json is stale: run `npm run openapi`').toBe(renderOpenApiDocument());
  });

  it("is what the tests' client types say (test/support/openapi-types.d.ts, regenerate with `npm run openapi`)", async () => {
    const types = readFileSync(new URL('../../support/openapi-types.d.ts', import.meta.url), 'utf8');

    expect(types, 'test/support/openapi-types.d.ts is stale: run `npm run openapi`').toBe(await renderClientTypes(committed));
    expect(types).toContain('extractorVersion?: string;');
  });

  it("is what the README's routes table shows (regenerate both with `npm run openapi`)", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

    expect(readme, "README.md's routes table is stale: run `npm run openapi`").toBe(
      withRoutesTable(readme, document as unknown as RoutesDocument),
    );
    expect(readme).toContain('| `POST /logs` | yes |');
  });

  it('is OpenAPI 3.1 with exactly the operations of the route table', () => {
    // Arrange
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`),
    );

    // Assert
    expect(document.openapi).toBe('3.1.0');
    expect(documented.sort()).toEqual(API_ROUTES.map((route) => `${routeKeyOf(route)} ${route.operationId}`).sort());
  });

  it('lets only GET /openapi.json go without a token', () => {
    // Act
    const publicOperations = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => Array.isArray(operation.security) && operation.security.length === 0)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );

    // Assert
    expect(publicOperations).toEqual(['GET /openapi.json']);
  });

  it("lists the function's problem+json before API Gateway's JSON wherever a status has both", () => {
    // Tooling that picks a schema by media type takes the first JSON match (`+json` matches `json`).
    const shared = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) =>
        Object.entries((operation as unknown as { responses: Record<string, { content?: Record<string, unknown> }> }).responses)
          .filter(([, response]) => response.content?.['application/problem+json'] && response.content['application/json'])
          .map(([status, response]) => ({ at: `${method.toUpperCase()} ${path} ${status}`, first: Object.keys(response.content!)[0] })),
      ),
    );

    expect(shared.map((response) => response.at)).toEqual(
      expect.arrayContaining(['POST /logs 413', 'POST /logs 429', 'PATCH /logs/{id} 413']),
    );
    for (const response of shared) expect(response.first, response.at).toBe('application/problem+json');
  });

  it('explains every problem type at the place its `type` URI points to', () => {
    for (const kind of Object.keys(PROBLEM_TYPES) as (keyof typeof PROBLEM_TYPES)[]) {
      const [file, fragment] = problemTypeUri(kind).split('#');
      expect(file).toBe('/openapi.json');
      const target = fragment!
        .split('/')
        .slice(1)
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], document);
      expect((target as { description?: string }).description, kind).toMatch(/\w{3,}/);
      expect((target as { properties: { type: { const: string } } }).properties.type.const).toBe(problemTypeUri(kind));
    }
  });
});

describe('real answers match the document', () => {
  it('POST /logs: 202, and the 4xx problems of a bad body, media type and key reuse', async () => {
    // Arrange
    const { deps } = fakeApiDeps();

    // Act
    const answers = [
      await routeApiRequest(postEntryEvent({ entry: 'Heute mit Django' }, { 'idempotency-key': 'k1' }), deps),
      await routeApiRequest(postEntryEvent({ entry: 'Anderer Text' }, { 'idempotency-key': 'k1' }), deps),
      await routeApiRequest(postEntryEvent({ entry: '' }), deps),
      await routeApiRequest(postEntryEvent('{not json'), deps),
      await routeApiRequest(postEntryEvent({ entry: 'x' }, { 'content-type': 'text/plain' }), deps),
      await routeApiRequest(postEntryEvent({ entry: 'x' }, {}, null), deps),
    ];

    // Assert
    expect(answers.map((result) => result.statusCode)).toEqual([202, 422, 422, 400, 415, 401]);
    for (const result of answers) expectAnswerMatchesDocument('POST', '/logs', answer(result));
  });

  it('POST /logs: the 429 over the daily quota and a replay, with their headers', async () => {
    // Arrange
    const { deps } = fakeApiDeps({ dailyEntryQuota: 1 });
    await routeApiRequest(postEntryEvent({ entry: 'Heute mit Django' }, { 'idempotency-key': 'k1' }), deps);

    // Act
    const refused = await routeApiRequest(postEntryEvent({ entry: 'Noch eins' }), deps);
    const replay = await routeApiRequest(postEntryEvent({ entry: 'Heute mit Django' }, { 'idempotency-key': 'k1' }), deps);

    // Assert
    expect([refused.statusCode, replay.statusCode]).toEqual([429, 202]);
    for (const result of [refused, replay]) expectAnswerMatchesDocument('POST', '/logs', answer(result));
  });

  it('GET /logs and GET /logs/{id}: 200, 400 and 404', async () => {
    // Arrange
    const { deps } = fakeApiDeps();
    const created = JSON.parse((await routeApiRequest(postEntryEvent({ entry: 'Kafka' }), deps)).body!) as { id: string };

    // Act
    const list = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs', query: { limit: '1' } }), deps);
    const badList = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs', query: { limit: '0' } }), deps);
    const tagged = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs', query: { tag: 'Kafka', limit: '5' } }), deps);
    const badTag = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs', query: { tag: ' ' } }), deps);
    const one = await routeApiRequest(apiEvent({ method: 'GET', path: `/logs/${created.id}` }), deps);
    const missing = await routeApiRequest(apiEvent({ method: 'GET', path: `/logs/${MISSING_ID}` }), deps);
    const badId = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs/not-an-id' }), deps);

    // Assert
    expect([list, badList, tagged, badTag, one, missing, badId].map((result) => result.statusCode)).toEqual([
      200, 400, 200, 400, 200, 404, 400,
    ]);
    for (const result of [list, badList, tagged, badTag]) expectAnswerMatchesDocument('GET', '/logs', answer(result));
    for (const result of [one, missing, badId]) expectAnswerMatchesDocument('GET', '/logs/{id}', answer(result));
  });

  it('PATCH /logs/{id}: 202, and the 400, 404, 409, 415 and 422 problems', async () => {
    // Arrange
    const { deps, entries } = fakeApiDeps();
    const created = JSON.parse((await routeApiRequest(postEntryEvent({ entry: 'Kafka' }), deps)).body!) as { id: string };
    const patch = (id: string, body: string, contentType = 'application/json') =>
      routeApiRequest(apiEvent({ method: 'PATCH', path: `/logs/${id}`, headers: { 'content-type': contentType }, body }), deps);

    // Act
    const accepted = await patch(created.id, JSON.stringify({ entry: 'Kafka und Flink' }));
    const missing = await patch(MISSING_ID, JSON.stringify({ entry: 'x' }));
    const badId = await patch('not-an-id', JSON.stringify({ entry: 'x' }));
    const empty = await patch(created.id, JSON.stringify({ entry: '' }));
    const text = await patch(created.id, 'x', 'text/plain');
    entries.replaceText = async () => ({ kind: 'revision-changed' });
    const conflict = await patch(created.id, JSON.stringify({ entry: 'y' }));

    // Assert
    const answers = [accepted, missing, badId, empty, text, conflict];
    expect(answers.map((result) => result.statusCode)).toEqual([202, 404, 400, 422, 415, 409]);
    for (const result of answers) expectAnswerMatchesDocument('PATCH', '/logs/{id}', answer(result));
  });

  it('DELETE /logs/{id}: 204 without a body, 400 and 404', async () => {
    // Arrange
    const { deps } = fakeApiDeps();
    const created = JSON.parse((await routeApiRequest(postEntryEvent({ entry: 'Kafka' }), deps)).body!) as { id: string };
    const remove = (id: string) => routeApiRequest(apiEvent({ method: 'DELETE', path: `/logs/${id}` }), deps);

    // Act
    const answers = [await remove(created.id), await remove(created.id), await remove('not-an-id')];

    // Assert
    expect(answers.map((result) => result.statusCode)).toEqual([204, 404, 400]);
    for (const result of answers) expectAnswerMatchesDocument('DELETE', '/logs/{id}', answer(result));
  });

  it('PATCH /logs/{id}: the 429 over the daily quota, with its headers', async () => {
    // Arrange
    const { deps } = fakeApiDeps({ dailyEntryQuota: 1 });
    const created = JSON.parse((await routeApiRequest(postEntryEvent({ entry: 'Kafka' }), deps)).body!) as { id: string };

    // Act
    const refused = await routeApiRequest(
      apiEvent({
        method: 'PATCH',
        path: `/logs/${created.id}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ entry: 'Flink' }),
      }),
      deps,
    );

    // Assert
    expect(refused.statusCode).toBe(429);
    expectAnswerMatchesDocument('PATCH', '/logs/{id}', answer(refused));
  });

  it('GET /logs/{id} with Prefer: wait: a pending answer after the wait and a done one, with their headers', async () => {
    // Arrange
    const { deps, entries } = fakeApiDeps();
    const created = JSON.parse((await routeApiRequest(postEntryEvent({ entry: 'Kafka' }), deps)).body!) as { id: string };
    const waiting = apiEvent({ method: 'GET', path: `/logs/${created.id}`, headers: { prefer: 'wait=2' } });

    // Act
    const pending = await routeApiRequest(waiting, deps);
    entries.entries.set(`user-a/${created.id}`, { ...(await entries.get('user-a', created.id))!, status: 'done' });
    const done = await routeApiRequest(waiting, deps);

    // Assert
    expect([pending.headers?.['retry-after'], done.headers?.['preference-applied']]).toEqual(['2', 'wait=2']);
    for (const result of [pending, done]) expectAnswerMatchesDocument('GET', '/logs/{id}', answer(result));
  });

  it('GET /openapi.json serves the committed document without a token', async () => {
    // Arrange
    const { deps } = fakeApiDeps();

    // Act
    const result = await routeApiRequest(apiEvent({ method: 'GET', path: '/openapi.json', sub: null }), deps);

    // Assert
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body!)).toEqual(JSON.parse(committed));
    expectAnswerMatchesDocument('GET', '/openapi.json', answer(result));
  });
});
