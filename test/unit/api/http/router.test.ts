import { describe, expect, it, vi } from 'vitest';
import { OWNER_ID_MAX_LENGTH } from '../../../../lambdas/contract/index.js';
import { routeApiRequest, WAIT_RESERVE_MS, type ApiResult } from '../../../../lambdas/devlog-api/api/http/router.js';
import { apiEvent, postEntryEvent } from '../../support/api-events.js';
import { fakeApiDeps } from '../../support/fake-api-ports.js';

const MISSING_ID = '01JDQ8Z6X4M1V9T3K7N2P5ZZZZ';

function bodyOf(result: ApiResult): Record<string, unknown> {
  return JSON.parse(result.body ?? 'null') as Record<string, unknown>;
}

/** Asserts an RFC 9457 problem response and returns its body. */
function expectProblem(result: ApiResult, status: number): Record<string, unknown> {
  expect(result.statusCode).toBe(status);
  expect(result.headers?.['content-type']).toBe('application/problem+json');
  const problem = bodyOf(result);
  expect(problem).toEqual({
    type: expect.stringMatching(/^\/openapi\.json#\/components\/schemas\/[A-Za-z]+Problem$/),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    instance: expect.any(String),
  });
  return problem;
}

async function post(deps: ReturnType<typeof fakeApiDeps>['deps'], entry: string, sub = 'user-a') {
  return routeApiRequest(postEntryEvent({ entry }, {}, sub), deps);
}

describe('routeApiRequest', () => {
  describe('POST /logs', () => {
    it('answers 202 with the pending entry and where to find it', async () => {
      // Arrange
      const { deps } = fakeApiDeps();

      // Act
      const result = await post(deps, 'Heute habe ich Django benutzt');

      // Assert
      expect(result.statusCode).toBe(202);
      expect(result.headers?.['content-type']).toBe('application/json');
      const body = bodyOf(result);
      expect(body).toEqual({
        id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
        entry: 'Heute habe ich Django benutzt',
        status: 'pending',
        tags: [],
        revision: 1,
        createdAt: '2026-11-23T10:00:00.000Z',
        updatedAt: '2026-11-23T10:00:00.000Z',
      });
      expect(result.headers?.location).toBe(`/logs/${body.id as string}`);
    });

    it('stores the entry under the caller and enqueues its extraction', async () => {
      // Arrange
      const { deps, entries, jobs } = fakeApiDeps();

      // Act
      const result = await post(deps, 'Used Kafka', 'user-b');

      // Assert
      const id = bodyOf(result).id as string;
      expect(await entries.get('user-b', id)).toMatchObject({ ownerId: 'user-b', status: 'pending' });
      expect(jobs.sent.map((entry) => entry.id)).toEqual([id]);
    });

    it('never shows the owner id to the client', async () => {
      // Arrange
      const { deps } = fakeApiDeps();

      // Act
      const result = await post(deps, 'Used Kafka');

      // Assert
      expect(result.body).not.toContain('user-a');
    });

    it("answers a bad body with the validator's problem", async () => {
      // Arrange
      const { deps, entries } = fakeApiDeps();

      // Act
      const result = await routeApiRequest(postEntryEvent('{"entry":"   "}'), deps);

      // Assert
      const problem = expectProblem(result, 422);
      expect(problem.detail).toContain('empty');
      expect(problem.instance).toBe('/logs');
      expect(entries.entries.size).toBe(0);
    });

    it('answers 415 for a body sent as text', async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      const event = apiEvent({ method: 'POST', path: '/logs', headers: { 'content-type': 'text/plain' }, body: 'Django' });

      // Act
      const result = await routeApiRequest(event, deps);

      // Assert
      expectProblem(result, 415);
    });

    it('replays the first answer for a retried Idempotency-Key and says so', async () => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      const event = postEntryEvent({ entry: 'Used Kafka' }, { 'idempotency-key': 'key-1' });
      const first = await routeApiRequest(event, deps);

      // Act
      const replay = await routeApiRequest(event, deps);

      // Assert
      expect(replay.statusCode).toBe(202);
      expect(replay.body).toBe(first.body);
      expect(replay.headers?.location).toBe(first.headers?.location);
      expect(replay.headers?.['idempotent-replayed']).toBe('true');
      expect(first.headers?.['idempotent-replayed']).toBeUndefined();
      expect(entries.entries.size).toBe(1);
    });

    it('answers 422 when an Idempotency-Key is reused with another body', async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      await routeApiRequest(postEntryEvent({ entry: 'Used Kafka' }, { 'idempotency-key': 'key-1' }), deps);

      // Act
      const result = await routeApiRequest(postEntryEvent({ entry: 'Used Redis' }, { 'idempotency-key': 'key-1' }), deps);

      // Assert
      const problem = expectProblem(result, 422);
      expect(problem.detail).toContain('Idempotency-Key');
    });

    it('answers 409 while the same Idempotency-Key is in flight', async () => {
      // Arrange: the first request is stuck writing the entry
      const { deps } = fakeApiDeps();
      let finishWrite!: () => void;
      const create = deps.entries.create.bind(deps.entries);
      deps.entries.create = (entry) => new Promise<void>((resolve) => (finishWrite = resolve)).then(() => create(entry));
      const event = postEntryEvent({ entry: 'Used Kafka' }, { 'idempotency-key': 'key-1' });
      const first = routeApiRequest(event, deps);
      await vi.waitFor(() => expect(finishWrite).toBeTypeOf('function'));

      // Act
      const second = await routeApiRequest(event, deps);

      // Assert
      const problem = expectProblem(second, 409);
      expect(problem.detail).toContain('still being processed');
      finishWrite();
      expect((await first).statusCode).toBe(202);
    });

    it('says where the caller stands in the daily quota on every 202 (RateLimit-Policy, RateLimit), and when to look for the tags', async () => {
      // Arrange
      const { deps } = fakeApiDeps({ dailyEntryQuota: 1000 });

      // Act
      const result = await post(deps, 'Used Kafka');

      // Assert
      expect(result.headers?.['ratelimit-policy']).toBe('"daily-entries";q=1000;w=86400');
      expect(result.headers?.ratelimit).toBe('"daily-entries";r=999;t=50400');
      expect(result.headers?.['retry-after']).toBe('2');
    });

    it('answers 429 problem+json over the daily quota with Retry-After and the RateLimit headers; other users go on', async () => {
      // Arrange
      const { deps } = fakeApiDeps({ dailyEntryQuota: 2 });
      await post(deps, 'one');
      await post(deps, 'two');

      // Act
      const refused = await post(deps, 'three');
      const otherUser = await post(deps, 'mine', 'user-b');

      // Assert
      const problem = expectProblem(refused, 429);
      expect(problem.type).toBe('/openapi.json#/components/schemas/QuotaExceededProblem');
      expect(problem.detail).toContain('2 entries for today');
      expect(refused.headers).toMatchObject({
        'retry-after': '50400',
        'ratelimit-policy': '"daily-entries";q=2;w=86400',
        ratelimit: '"daily-entries";r=0;t=50400',
      });
      expect(otherUser.statusCode).toBe(202);
      expect(otherUser.headers?.ratelimit).toBe('"daily-entries";r=1;t=50400');
    });
  });

  describe('GET /logs/{id}', () => {
    it("returns the caller's own entry", async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      const created = bodyOf(await post(deps, 'Used Kafka'));

      // Act
      const result = await routeApiRequest(apiEvent({ method: 'GET', path: `/logs/${created.id as string}` }), deps);

      // Assert
      expect(result.statusCode).toBe(200);
      expect(result.headers?.['content-type']).toBe('application/json');
      expect(bodyOf(result)).toEqual(created);
    });

    it.each([
      ['a reason code', 'model-unreachable', { code: 'model-unreachable', message: 'The tagging model could not be reached.' }],
      [
        'free text an older extraction stored',
        'OpenAI unreachable at http://127.0.0.1:9/v1: ECONNREFUSED',
        { code: 'extraction-failed', message: 'Tagging failed for an internal reason.' },
      ],
    ])("shows a failed entry's error as a stable code and a short message, given %s", async (_case, stored, shown) => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      const id = bodyOf(await post(deps, 'Used Kafka')).id as string;
      const entry = await entries.get('user-a', id);
      entries.entries.set(`user-a/${id}`, { ...entry!, status: 'failed', error: stored });

      // Act
      const result = await routeApiRequest(apiEvent({ method: 'GET', path: `/logs/${id}` }), deps);

      // Assert
      expect(bodyOf(result).error).toEqual(shown);
      expect(result.body).not.toContain('http://');
    });

    it('prefers the id API Gateway extracted from the route', async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      const created = bodyOf(await post(deps, 'Used Kafka'));
      const id = created.id as string;

      // Act
      const result = await routeApiRequest(apiEvent({ method: 'GET', path: `/logs/${id}`, pathParameters: { id } }), deps);

      // Assert
      expect(bodyOf(result)).toEqual(created);
    });

    it('says when to look again (Retry-After) while the entry is pending, and not once it is done', async () => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      const id = bodyOf(await post(deps, 'Used Kafka')).id as string;
      const get = () => routeApiRequest(apiEvent({ method: 'GET', path: `/logs/${id}` }), deps);

      // Act
      const pending = await get();
      entries.entries.set(`user-a/${id}`, { ...(await entries.get('user-a', id))!, status: 'done' });
      const done = await get();

      // Assert
      expect(pending.headers?.['retry-after']).toBe('2');
      expect(done.headers).not.toHaveProperty('retry-after');
      expect(pending.headers).not.toHaveProperty('preference-applied');
    });

    describe('with Prefer: wait=N', () => {
      const waitingGet = (id: string, prefer: string) => apiEvent({ method: 'GET', path: `/logs/${id}`, headers: { prefer } });

      it('answers as soon as the entry is done while the GET is held, and says Preference-Applied', async () => {
        // Arrange: the GET's first pause is held; the extraction tags the entry meanwhile
        const { deps, entries } = fakeApiDeps();
        const id = bodyOf(await post(deps, 'Used Kafka')).id as string;
        const paused = Promise.withResolvers<void>();
        const release = Promise.withResolvers<void>();
        deps.sleep = async () => {
          paused.resolve();
          await release.promise;
        };
        const answer = routeApiRequest(waitingGet(id, 'wait=10'), deps);
        await paused.promise;

        // Act
        entries.entries.set(`user-a/${id}`, {
          ...(await entries.get('user-a', id))!,
          status: 'done',
          tags: [{ type: 'tech-stack', value: 'Kafka' }],
        });
        release.resolve();

        // Assert
        const result = await answer;
        expect(result.statusCode).toBe(200);
        expect(bodyOf(result)).toMatchObject({ status: 'done', tags: [{ value: 'Kafka' }] });
        expect(result.headers?.['preference-applied']).toBe('wait=10');
        expect(result.headers).not.toHaveProperty('retry-after');
      });

      it('gives the pending entry back after N seconds, with Retry-After', async () => {
        // Arrange
        const { deps, sleep } = fakeApiDeps();
        const id = bodyOf(await post(deps, 'Used Kafka')).id as string;

        // Act
        const result = await routeApiRequest(waitingGet(id, 'wait=3'), deps);

        // Assert
        expect(bodyOf(result)).toMatchObject({ status: 'pending' });
        expect(result.headers).toMatchObject({ 'preference-applied': 'wait=3', 'retry-after': '2' });
        expect(sleep.mock.calls.reduce((sum, [ms]) => sum + ms, 0)).toBe(3_000);
      });

      it('caps a longer wait at 20 s and says so', async () => {
        // Arrange
        const { deps, sleep } = fakeApiDeps();
        const id = bodyOf(await post(deps, 'Used Kafka')).id as string;

        // Act
        const result = await routeApiRequest(waitingGet(id, 'wait=600'), deps);

        // Assert
        expect(result.headers?.['preference-applied']).toBe('wait=20');
        expect(sleep.mock.calls.reduce((sum, [ms]) => sum + ms, 0)).toBe(20_000);
      });

      it('ignores a malformed preference: one read, no Preference-Applied', async () => {
        // Arrange
        const { deps, sleep } = fakeApiDeps();
        const id = bodyOf(await post(deps, 'Used Kafka')).id as string;

        // Act
        const result = await routeApiRequest(waitingGet(id, 'wait=soon'), deps);

        // Assert
        expect(result.statusCode).toBe(200);
        expect(result.headers).not.toHaveProperty('preference-applied');
        expect(sleep).not.toHaveBeenCalled();
      });

      it("stops before the function's deadline, keeping a read's worst case, and says the wait it applied", async () => {
        // Arrange: 12.5 s left in the invocation; a read may take up to WAIT_RESERVE_MS
        const { deps, sleep } = fakeApiDeps();
        const id = bodyOf(await post(deps, 'Used Kafka')).id as string;
        const remainingMs = WAIT_RESERVE_MS + 5_400;

        // Act
        const result = await routeApiRequest(waitingGet(id, 'wait=20'), deps, { remainingTimeMs: () => remainingMs });

        // Assert
        expect(sleep.mock.calls.reduce((sum, [ms]) => sum + ms, 0)).toBe(5_400);
        expect(result.headers?.['preference-applied']).toBe('wait=5');
      });

      it('answers 404 at once for a missing entry', async () => {
        // Arrange
        const { deps, sleep } = fakeApiDeps();

        // Act
        const result = await routeApiRequest(waitingGet(MISSING_ID, 'wait=20'), deps);

        // Assert
        expectProblem(result, 404);
        expect(sleep).not.toHaveBeenCalled();
      });
    });

    it("answers another owner's entry exactly like a missing one", async () => {
      // Arrange
      const withEntry = fakeApiDeps();
      const id = bodyOf(await post(withEntry.deps, 'Secret project on Kafka', 'user-a')).id as string;
      const empty = fakeApiDeps();
      const asUserB = apiEvent({ method: 'GET', path: `/logs/${id}`, sub: 'user-b' });

      // Act
      const someoneElses = await routeApiRequest(asUserB, withEntry.deps);
      const missing = await routeApiRequest(asUserB, empty.deps);

      // Assert
      expectProblem(someoneElses, 404);
      expect(someoneElses).toEqual(missing);
      expect(someoneElses.body).not.toContain('Kafka');
    });

    it('answers 404 for an id that does not exist', async () => {
      // Arrange
      const { deps } = fakeApiDeps();

      // Act
      const result = await routeApiRequest(apiEvent({ method: 'GET', path: `/logs/${MISSING_ID}` }), deps);

      // Assert
      const problem = expectProblem(result, 404);
      expect(problem.instance).toBe(`/logs/${MISSING_ID}`);
    });

    it.each([['not-a-ulid'], ['01jdq8z6x4m1v9t3k7n2p5r8wa'], ['%E0%A4%A']])('answers 400 to the id %s', async (id) => {
      // Arrange
      const { deps } = fakeApiDeps();

      // Act
      const result = await routeApiRequest(apiEvent({ method: 'GET', path: `/logs/${id}` }), deps);

      // Assert
      const problem = expectProblem(result, 400);
      expect(problem.detail).toContain('ULID');
    });
  });

  describe('GET /logs', () => {
    it("lists the caller's entries newest first, paging with nextCursor", async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      const ids: string[] = [];
      for (const text of ['one', 'two', 'three', 'four', 'five']) ids.push(bodyOf(await post(deps, text)).id as string);
      await post(deps, 'someone else', 'user-b');

      // Act
      const pages: Record<string, unknown>[] = [];
      let cursor: string | undefined;
      do {
        const result = await routeApiRequest(
          apiEvent({ method: 'GET', path: '/logs', query: { limit: '2', ...(cursor ? { cursor } : {}) } }),
          deps,
        );
        expect(result.statusCode).toBe(200);
        const page = bodyOf(result);
        pages.push(page);
        cursor = page.nextCursor as string | undefined;
      } while (cursor && pages.length < 10);

      // Assert
      const entriesPerPage = pages.map((page) => (page.items as { entry: string }[]).map((item) => item.entry));
      expect(entriesPerPage).toEqual([['five', 'four'], ['three', 'two'], ['one']]);
      expect(pages.at(-1)).not.toHaveProperty('nextCursor');
      expect(JSON.stringify(pages)).not.toContain('ownerId');
    });

    it('returns an empty list to a new user', async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      await post(deps, 'Used Kafka', 'user-a');

      // Act
      const result = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs', sub: 'user-b' }), deps);

      // Assert
      expect(result.statusCode).toBe(200);
      expect(bodyOf(result)).toEqual({ items: [] });
    });

    it('answers 400 to a limit out of range', async () => {
      // Arrange
      const { deps } = fakeApiDeps();

      // Act
      const result = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs', query: { limit: '1000' } }), deps);

      // Assert
      expectProblem(result, 400);
    });

    it('answers 400 to a forged cursor', async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      const forged = Buffer.from(JSON.stringify({ v: 1, after: 'OWNER#user-b' })).toString('base64url');

      // Act
      const result = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs', query: { cursor: forged } }), deps);

      // Assert
      const problem = expectProblem(result, 400);
      expect(problem.detail).toContain('cursor');
    });
  });

  describe('PATCH /logs/{id}', () => {
    function patchEvent(id: string, body: unknown, options: { sub?: string; headers?: Record<string, string> } = {}) {
      return apiEvent({
        method: 'PATCH',
        path: `/logs/${id}`,
        sub: options.sub,
        headers: { 'content-type': 'application/json', ...options.headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    }

    it('counts an edit against the daily quota: RateLimit on the 202, then 429 with Retry-After', async () => {
      // Arrange
      const { deps } = fakeApiDeps({ dailyEntryQuota: 2 });
      const id = bodyOf(await post(deps, 'Used Django')).id as string;

      // Act
      const edited = await routeApiRequest(patchEvent(id, { entry: 'Used Rust' }), deps);
      const refused = await routeApiRequest(patchEvent(id, { entry: 'Used Go' }), deps);

      // Assert
      expect(edited.statusCode).toBe(202);
      expect(edited.headers).toMatchObject({ ratelimit: '"daily-entries";r=0;t=50400', 'retry-after': '2' });
      const problem = expectProblem(refused, 429);
      expect(problem.type).toBe('/openapi.json#/components/schemas/QuotaExceededProblem');
      expect(refused.headers).toMatchObject({ 'retry-after': '50400', 'ratelimit-policy': '"daily-entries";q=2;w=86400' });
      expect(bodyOf(await routeApiRequest(apiEvent({ method: 'GET', path: `/logs/${id}` }), deps))).toMatchObject({ entry: 'Used Rust' });
    });

    it('answers 202 with the entry at its next revision, pending, and where to find it', async () => {
      // Arrange
      const { deps, jobs } = fakeApiDeps();
      const created = bodyOf(await post(deps, 'Used Django'));

      // Act
      const result = await routeApiRequest(patchEvent(created.id as string, { entry: 'Used Rust' }), deps);

      // Assert
      expect(result.statusCode).toBe(202);
      expect(result.headers?.location).toBe(`/logs/${created.id as string}`);
      expect(bodyOf(result)).toEqual({ ...created, entry: 'Used Rust', revision: 2 });
      expect(jobs.sent.map(({ id, revision }) => ({ id, revision }))).toEqual([
        { id: created.id, revision: 1 },
        { id: created.id, revision: 2 },
      ]);
    });

    it("answers another owner's entry exactly like a missing one", async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      const created = bodyOf(await post(deps, 'Used Django'));

      // Act
      const foreign = await routeApiRequest(patchEvent(created.id as string, { entry: 'mine now' }, { sub: 'user-b' }), deps);
      const missing = await routeApiRequest(patchEvent(MISSING_ID, { entry: 'mine now' }), deps);

      // Assert
      expect(expectProblem(foreign, 404).detail).toBe(`No entry '${created.id as string}' exists for you.`);
      expect(expectProblem(missing, 404).detail).toBe(`No entry '${MISSING_ID}' exists for you.`);
    });

    it.each([
      ['an empty entry', { entry: '   ' }, 422],
      ['a missing entry', {}, 422],
      ['an entry that is too long', { entry: 'x'.repeat(10_001) }, 422],
      ['malformed JSON', '{"entry":', 400],
    ])('validates the body like POST: %s answers %i', async (_name, body, status) => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      const created = bodyOf(await post(deps, 'Used Django'));

      // Act
      const result = await routeApiRequest(patchEvent(created.id as string, body), deps);

      // Assert
      expectProblem(result, status);
      expect((await entries.get('user-a', created.id as string))?.entry).toBe('Used Django');
    });

    it('answers 415 for a body that is not JSON and 400 for a bad id', async () => {
      // Arrange
      const { deps } = fakeApiDeps();

      // Act
      const text = await routeApiRequest(patchEvent(MISSING_ID, 'Used Rust', { headers: { 'content-type': 'text/plain' } }), deps);
      const badId = await routeApiRequest(patchEvent('not-a-ulid', { entry: 'Used Rust' }), deps);

      // Assert
      expectProblem(text, 415);
      expectProblem(badId, 400);
    });

    it('answers 409 when another edit lands first', async () => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      const created = bodyOf(await post(deps, 'Used Django'));
      vi.spyOn(entries, 'replaceText').mockResolvedValueOnce({ kind: 'revision-changed' });

      // Act
      const result = await routeApiRequest(patchEvent(created.id as string, { entry: 'Used Rust' }), deps);

      // Assert
      expect(expectProblem(result, 409).detail).toContain('GET it and send your edit again');
    });
  });

  describe('GET /logs?tag=', () => {
    it('lists the entries carrying the tag, any case, newest first, paging with the cursor', async () => {
      // Arrange: three tagged entries in the tag index, one without the tag
      const { deps, entries, techStack } = fakeApiDeps();
      const ids: string[] = [];
      for (const text of ['Used Django', 'Used Rust', 'Used django again', 'More Django']) {
        const id = bodyOf(await post(deps, text)).id as string;
        ids.push(id);
        if (!text.includes('Rust')) {
          const entry = (await entries.get('user-a', id))!;
          entries.entries.set(`user-a/${id}`, {
            ...entry,
            status: 'done',
            tags: [{ type: 'tech-stack', value: text.includes('django') ? 'django' : 'Django' }],
          });
          await techStack.indexEntry('user-a', id, 'django', 'Django', entry.createdAt);
        }
      }

      // Act
      const first = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs', query: { tag: 'DJANGO', limit: '2' } }), deps);
      const cursor = bodyOf(first).nextCursor as string;
      const second = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs', query: { tag: 'DJANGO', limit: '2', cursor } }), deps);

      // Assert
      expect(first.statusCode).toBe(200);
      expect((bodyOf(first).items as { id: string }[]).map((item) => item.id)).toEqual([ids[3], ids[2]]);
      expect((bodyOf(second).items as { id: string }[]).map((item) => item.id)).toEqual([ids[0]]);
      expect(bodyOf(second)).not.toHaveProperty('nextCursor');
    });

    it.each([['   '], ['x'.repeat(101)]])('answers 400 to the tag %j', async (tag) => {
      // Arrange
      const { deps } = fakeApiDeps();

      // Act
      const result = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs', query: { tag } }), deps);

      // Assert
      expect(expectProblem(result, 400).detail).toContain("'tag'");
    });
  });

  describe('DELETE /logs/{id}', () => {
    const deleteEvent = (id: string, sub?: string) => apiEvent({ method: 'DELETE', path: `/logs/${id}`, sub });

    it('answers 204 without a body; the entry is gone for GET, PATCH and another DELETE', async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      const id = bodyOf(await post(deps, 'Used Django')).id as string;

      // Act
      const result = await routeApiRequest(deleteEvent(id), deps);

      // Assert
      expect(result.statusCode).toBe(204);
      expect(result.body).toBeUndefined();
      expectProblem(await routeApiRequest(apiEvent({ method: 'GET', path: `/logs/${id}` }), deps), 404);
      expectProblem(await routeApiRequest(deleteEvent(id), deps), 404);
    });

    it("answers another owner's entry exactly like a missing one, and keeps it", async () => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      const id = bodyOf(await post(deps, 'Used Django')).id as string;

      // Act
      const foreign = await routeApiRequest(deleteEvent(id, 'user-b'), deps);
      const badId = await routeApiRequest(deleteEvent('not-a-ulid'), deps);

      // Assert
      expect(expectProblem(foreign, 404).detail).toBe(`No entry '${id}' exists for you.`);
      expectProblem(badId, 400);
      expect(await entries.get('user-a', id)).toBeDefined();
    });
  });

  describe('ETag and If-Match', () => {
    const patchEvent = (id: string, entry: string, headers: Record<string, string> = {}) =>
      apiEvent({
        method: 'PATCH',
        path: `/logs/${id}`,
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ entry }),
      });

    it('tags GET and the 202 of PATCH with the revision as a strong entity-tag', async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      const id = bodyOf(await post(deps, 'Used Django')).id as string;

      // Act
      const read = await routeApiRequest(apiEvent({ method: 'GET', path: `/logs/${id}` }), deps);
      const edited = await routeApiRequest(patchEvent(id, 'Used Rust', { 'if-match': read.headers?.etag as string }), deps);

      // Assert
      expect(read.headers?.etag).toBe('"1"');
      expect(edited.statusCode).toBe(202);
      expect(edited.headers?.etag).toBe('"2"');
    });

    it('answers 412 to a PATCH or DELETE whose If-Match names a revision the entry is no longer at, and changes nothing', async () => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      const id = bodyOf(await post(deps, 'Used Django')).id as string;
      await routeApiRequest(patchEvent(id, 'Edited in another tab'), deps);

      // Act
      const patched = await routeApiRequest(patchEvent(id, 'My stale edit', { 'if-match': '"1"' }), deps);
      const deleted = await routeApiRequest(apiEvent({ method: 'DELETE', path: `/logs/${id}`, headers: { 'if-match': '"1"' } }), deps);

      // Assert
      expect(expectProblem(patched, 412).type).toBe('/openapi.json#/components/schemas/PreconditionFailedProblem');
      expectProblem(deleted, 412);
      expect(await entries.get('user-a', id)).toMatchObject({ entry: 'Edited in another tab', revision: 2 });
    });

    it('deletes with a matching If-Match, and with If-Match: * while the entry exists', async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      const first = bodyOf(await post(deps, 'Used Django')).id as string;
      const second = bodyOf(await post(deps, 'Used Kafka')).id as string;

      // Act
      const matching = await routeApiRequest(
        apiEvent({ method: 'DELETE', path: `/logs/${first}`, headers: { 'if-match': 'W/"7", "1"' } }),
        deps,
      );
      const star = await routeApiRequest(apiEvent({ method: 'DELETE', path: `/logs/${second}`, headers: { 'if-match': '*' } }), deps);

      // Assert
      expect(matching.statusCode).toBe(204);
      expect(star.statusCode).toBe(204);
    });

    it('answers an edit to the current text with 200 and the entry as it is, without spending the quota', async () => {
      // Arrange
      const { deps, quotaCounter } = fakeApiDeps({ dailyEntryQuota: 5 });
      const created = bodyOf(await post(deps, 'Used Django'));

      // Act
      const result = await routeApiRequest(patchEvent(created.id as string, 'Used Django', { 'if-match': '"1"' }), deps);

      // Assert
      expect(result.statusCode).toBe(200);
      expect(bodyOf(result)).toEqual(created);
      expect(result.headers?.etag).toBe('"1"');
      expect([...quotaCounter.counts.values()]).toEqual([1]);
    });
  });

  describe('routing', () => {
    it.each([
      ['DELETE', '/logs', 'GET, POST'],
      ['PUT', '/logs', 'GET, POST'],
      ['PATCH', '/logs', 'GET, POST'],
      ['PUT', `/logs/${MISSING_ID}`, 'DELETE, GET, PATCH'],
      ['POST', `/logs/${MISSING_ID}`, 'DELETE, GET, PATCH'],
    ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
      // Arrange
      const { deps } = fakeApiDeps();

      // Act
      const result = await routeApiRequest(apiEvent({ method, path }), deps);

      // Assert
      expectProblem(result, 405);
      expect(result.headers?.allow).toBe(allow);
    });

    it.each([['/'], ['/entries'], [`/logs/${MISSING_ID}/tags`], ['/logsx'], ['/v1/logs']])(
      'answers the unknown path %s with a 404 problem',
      async (path) => {
        // Arrange
        const { deps } = fakeApiDeps();

        // Act
        const result = await routeApiRequest(apiEvent({ method: 'GET', path }), deps);

        // Assert
        const problem = expectProblem(result, 404);
        expect(problem.detail).toContain('/logs');
      },
    );

    it('truncates a very long unknown path in the problem', async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      const path = `/${'a'.repeat(5_000)}`;

      // Act
      const result = await routeApiRequest(apiEvent({ method: 'GET', path }), deps);

      // Assert
      expectProblem(result, 404);
      expect(result.body!.length).toBeLessThan(500);
    });

    it.each([
      ['GET', '/logs'],
      ['POST', '/logs'],
      ['GET', `/logs/${MISSING_ID}`],
    ])('answers %s %s without a subject with 401', async (method, path) => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      const event = apiEvent({
        method,
        path,
        sub: null,
        headers: { 'content-type': 'application/json' },
        body: '{"entry":"Used Kafka"}',
      });

      // Act
      const result = await routeApiRequest(event, deps);

      // Assert
      expectProblem(result, 401);
      expect(result.headers?.['www-authenticate']).toBe('Bearer');
      expect(entries.entries.size).toBe(0);
    });

    it('answers 401 to an empty subject', async () => {
      // Arrange
      const { deps } = fakeApiDeps();

      // Act
      const result = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs', sub: '' }), deps);

      // Assert
      expectProblem(result, 401);
    });
  });

  describe('a subject longer than a job message can carry', () => {
    it('refuses a POST with 403 problem+json and stores nothing', async () => {
      // Arrange
      const { deps, entries, jobs } = fakeApiDeps();
      const sub = 'u'.repeat(OWNER_ID_MAX_LENGTH + 1);

      // Act
      const result = await post(deps, 'Used Kafka', sub);

      // Assert
      const problem = expectProblem(result, 403);
      expect(problem.detail).toContain(String(OWNER_ID_MAX_LENGTH));
      expect(entries.entries.size).toBe(0);
      expect(jobs.sent).toEqual([]);
    });

    it('refuses a subject of the limit in characters whose bytes overflow a key, with 403 problem+json, and stores nothing', async () => {
      // Arrange: 256 characters of 2 bytes, 6 once percent-encoded into the tag index's partition key
      const { deps, entries, jobs } = fakeApiDeps();
      const sub = 'ü'.repeat(OWNER_ID_MAX_LENGTH);

      // Act
      const posted = await post(deps, 'Used Kafka', sub);
      const listed = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs', query: { tag: 'Kafka' }, sub }), deps);

      // Assert
      expect(expectProblem(posted, 403).detail).toContain('2048 bytes');
      expectProblem(listed, 403);
      expect(entries.entries.size).toBe(0);
      expect(jobs.sent).toEqual([]);
    });

    it('accepts a subject of exactly the limit', async () => {
      // Arrange
      const { deps, jobs } = fakeApiDeps();

      // Act
      const result = await post(deps, 'Used Kafka', 'u'.repeat(OWNER_ID_MAX_LENGTH));

      // Assert
      expect(result.statusCode).toBe(202);
      expect(jobs.sent).toHaveLength(1);
    });
  });

  describe('unexpected failures', () => {
    it('answers 500 problem+json without internals and logs the error', async () => {
      // Arrange
      const { deps, logger } = fakeApiDeps();
      const internal = new Error('ProvisionedThroughputExceededException on table devlog-prod-entries');
      deps.entries.create = vi.fn().mockRejectedValue(internal);

      // Act
      const result = await post(deps, 'Used Kafka');

      // Assert
      const problem = expectProblem(result, 500);
      expect(problem.title).toBe('Internal Server Error');
      expect(result.body).not.toContain('devlog-prod');
      expect(result.body).not.toContain('Provisioned');
      expect(result.body).not.toMatch(/\bat .*\.ts:\d+/);
      expect(logger.error).toHaveBeenCalledWith('request failed', expect.objectContaining({ error: internal }));
    });

    it('answers 500 when a read fails, too', async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      deps.entries.list = vi.fn().mockRejectedValue(new TypeError("Cannot read properties of undefined (reading 'Items')"));

      // Act
      const result = await routeApiRequest(apiEvent({ method: 'GET', path: '/logs' }), deps);

      // Assert
      expectProblem(result, 500);
      expect(result.body).not.toContain('Items');
    });
  });

  describe('GET /me/tech-stack', () => {
    it("answers 200 with the caller's technologies, most used first, and nobody else's", async () => {
      // Arrange
      const { deps, techStack } = fakeApiDeps();
      const tag = async (owner: string, entryId: string, key: string, value: string, createdAt: string) => {
        await techStack.indexEntry(owner, entryId, key, value, createdAt);
        await techStack.applyToTotal(owner, key, { entryId, token: `${entryId}:t`, delta: 1, value, createdAt });
      };
      await tag('user-a', 'e1', 'django', 'Django', '2026-01-01T00:00:00.000Z');
      await tag('user-a', 'e2', 'django', 'Django', '2026-02-01T00:00:00.000Z');
      await tag('user-a', 'e2', 'redis', 'Redis', '2026-02-01T00:00:00.000Z');
      await tag('user-b', 'e3', 'rust', 'Rust', '2026-03-01T00:00:00.000Z');

      // Act
      const result = await routeApiRequest(apiEvent({ method: 'GET', path: '/me/tech-stack' }), deps);

      // Assert
      expect(result.statusCode).toBe(200);
      expect(bodyOf(result)).toEqual({
        items: [
          { value: 'Django', count: 2, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-02-01T00:00:00.000Z' },
          { value: 'Redis', count: 1, firstSeen: '2026-02-01T00:00:00.000Z', lastSeen: '2026-02-01T00:00:00.000Z' },
        ],
      });
    });

    it('answers 200 with no items for a caller without tagged entries', async () => {
      const { deps } = fakeApiDeps();

      const result = await routeApiRequest(apiEvent({ method: 'GET', path: '/me/tech-stack' }), deps);

      expect(result.statusCode).toBe(200);
      expect(bodyOf(result)).toEqual({ items: [] });
    });

    it('answers in pages of `limit` (default 50), most used first, with a nextCursor until the last page', async () => {
      // Arrange: 120 technologies, technology n carried by n + 1 entries
      const { deps, techStack } = fakeApiDeps();
      for (let n = 0; n < 120; n++) {
        const key = `tech-${String(n).padStart(3, '0')}`;
        for (let carried = 0; carried <= n; carried++) {
          await techStack.applyToTotal('user-a', key, {
            entryId: `e${carried}`,
            token: `e${carried}:${key}`,
            delta: 1,
            value: key,
            createdAt: '2026-01-01T00:00:00.000Z',
          });
        }
      }
      const page = async (query?: Record<string, string>) =>
        bodyOf(await routeApiRequest(apiEvent({ method: 'GET', path: '/me/tech-stack', ...(query ? { query } : {}) }), deps)) as {
          items: { value: string; count: number }[];
          nextCursor?: string;
        };

      // Act
      const first = await page();
      const second = await page({ limit: '100', cursor: first.nextCursor! });
      const small = await page({ limit: '1' });

      // Assert
      expect(first.items.map((item) => item.count)).toEqual(Array.from({ length: 50 }, (_, index) => 120 - index));
      expect(second.items.map((item) => item.count)).toEqual(Array.from({ length: 70 }, (_, index) => 70 - index));
      expect(second.nextCursor).toBeUndefined();
      expect(small.items).toEqual([expect.objectContaining({ value: 'tech-119', count: 120 })]);
      expect(small.nextCursor).toEqual(expect.any(String));
    });

    it.each([
      ['limit=0', { limit: '0' }],
      ['limit=101', { limit: '101' }],
      ['limit=1.5', { limit: '1.5' }],
      ['limit=abc', { limit: 'abc' }],
      ['a cursor of /logs', { cursor: Buffer.from(JSON.stringify({ v: 1, after: '01JDQ8Z6X4M1V9T3K7N2P5G000' })).toString('base64url') }],
      ['a made-up cursor', { cursor: 'bm90LWEtY3Vyc29y' }],
      ['a cursor with other characters', { cursor: 'a+b/c' }],
    ])('answers 400 problem+json to %s', async (_name, query) => {
      const { deps } = fakeApiDeps();

      const result = await routeApiRequest(apiEvent({ method: 'GET', path: '/me/tech-stack', query }), deps);

      expectProblem(result, 400);
    });

    it('answers another method with 405 and Allow: GET, and a token without subject with 401', async () => {
      const { deps } = fakeApiDeps();

      const posted = await routeApiRequest(apiEvent({ method: 'POST', path: '/me/tech-stack' }), deps);
      const anonymous = await routeApiRequest(apiEvent({ method: 'GET', path: '/me/tech-stack', sub: null }), deps);

      expectProblem(posted, 405);
      expect(posted.headers?.allow).toBe('GET');
      expectProblem(anonymous, 401);
    });
  });
});
