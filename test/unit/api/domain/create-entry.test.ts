import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createEntry } from '../../../../lambdas/devlog-api/domain/create-entry.js';
import { EntryNotStoredError } from '../../../../lambdas/devlog-api/domain/ports.js';
import { fakeApiDeps, pendingEntry } from '../../support/fake-api-ports.js';

/** The request hash the use case keys a body by (sha-256 of the entry text). */
function hashOf(entry: string): string {
  return createHash('sha256').update(entry).digest('base64url');
}

describe('createEntry', () => {
  it('stores the entry as pending and enqueues exactly one job for it', async () => {
    // Arrange
    const { deps, entries, jobs } = fakeApiDeps();

    // Act
    const result = await createEntry(deps, { ownerId: 'user-a', entry: 'Used Django' });

    // Assert
    expect(result.kind).toBe('accepted');
    const { response } = result as Extract<typeof result, { kind: 'accepted' }>;
    const id = (response.body as { id: string }).id;
    expect(response).toMatchObject({ statusCode: 202, location: `/logs/${id}` });
    expect(await entries.get('user-a', id)).toEqual(pendingEntry({ id }));
    expect(jobs.sent).toHaveLength(1);
    expect(jobs.sent[0]).toMatchObject({ id, ownerId: 'user-a' });
  });

  it('writes the entry before it enqueues the job, so the consumer never sees a missing entry', async () => {
    // Arrange
    const { deps, entries } = fakeApiDeps();
    const seenAtEnqueue: unknown[] = [];
    deps.jobs.enqueue = async (entry) => {
      seenAtEnqueue.push(await entries.get(entry.ownerId, entry.id));
    };

    // Act
    await createEntry(deps, { ownerId: 'user-a', entry: 'Used Django' });

    // Assert
    expect(seenAtEnqueue).toEqual([expect.objectContaining({ status: 'pending' })]);
  });

  it('still answers 202 when the enqueue fails, keeps the entry pending and logs its id', async () => {
    // Arrange
    const { deps, entries, logger } = fakeApiDeps();
    const sqsDown = new Error('SQS unavailable');
    deps.jobs.enqueue = vi.fn().mockRejectedValue(sqsDown);

    // Act
    const result = await createEntry(deps, { ownerId: 'user-a', entry: 'Used Django' });

    // Assert
    expect(result).toMatchObject({ kind: 'accepted', replayed: false, response: { statusCode: 202 } });
    const id = (result as { response: { body: { id: string } } }).response.body.id;
    expect(await entries.get('user-a', id)).toMatchObject({ status: 'pending' });
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('enqueue failed'),
      expect.objectContaining({ entryId: id, error: sqsDown }),
    );
  });

  it('fails when the entry cannot be stored, and enqueues nothing', async () => {
    // Arrange
    const { deps, jobs } = fakeApiDeps();
    deps.entries.create = vi.fn().mockRejectedValue(new Error('DynamoDB unavailable'));

    // Act
    const attempt = createEntry(deps, { ownerId: 'user-a', entry: 'Used Django' });

    // Assert
    await expect(attempt).rejects.toThrow('DynamoDB unavailable');
    expect(jobs.sent).toEqual([]);
  });

  describe('with an Idempotency-Key', () => {
    it('replays the first answer to a retry with the same body, without a second entry or job', async () => {
      // Arrange
      const { deps, entries, jobs } = fakeApiDeps();
      const command = { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' };
      const first = await createEntry(deps, command);

      // Act
      const retry = await createEntry(deps, command);

      // Assert
      expect(first).toMatchObject({ kind: 'accepted', replayed: false });
      expect(retry).toEqual({ ...first, replayed: true });
      expect(entries.entries.size).toBe(1);
      expect(jobs.sent).toHaveLength(1);
    });

    it('reports a reuse with a different body', async () => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      await createEntry(deps, { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' });

      // Act
      const result = await createEntry(deps, { ownerId: 'user-a', entry: 'Used Flask', idempotencyKey: 'key-1' });

      // Assert
      expect(result).toEqual({ kind: 'key-reused-with-other-body' });
      expect(entries.entries.size).toBe(1);
    });

    it('treats a body that differs only in whitespace as a different body', async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      await createEntry(deps, { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' });

      // Act
      const result = await createEntry(deps, { ownerId: 'user-a', entry: 'Used Django ', idempotencyKey: 'key-1' });

      // Assert
      expect(result.kind).toBe('key-reused-with-other-body');
    });

    it('reports a request still in flight with the same key and body', async () => {
      // Arrange
      const { deps, idempotency } = fakeApiDeps();
      const command = { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' };
      let release!: () => void;
      deps.entries.create = () => new Promise<'created'>((resolve) => (release = () => resolve('created')));
      const first = createEntry(deps, command);
      await vi.waitFor(() => expect(idempotency.keys.size).toBe(1));

      // Act
      const second = await createEntry(deps, command);

      // Assert
      expect(second).toEqual({ kind: 'key-in-flight' });
      release();
      await expect(first).resolves.toMatchObject({ kind: 'accepted' });
    });

    it('reports a different body as a reuse even while the first is in flight', async () => {
      // Arrange
      const { deps, idempotency } = fakeApiDeps();
      deps.entries.create = () => new Promise<'created'>(() => {});
      void createEntry(deps, { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' });
      await vi.waitFor(() => expect(idempotency.keys.size).toBe(1));

      // Act
      const second = await createEntry(deps, { ownerId: 'user-a', entry: 'Used Flask', idempotencyKey: 'key-1' });

      // Assert
      expect(second).toEqual({ kind: 'key-reused-with-other-body' });
    });

    it("releases the key when the entry surely was not stored, so the client's retry starts afresh", async () => {
      // Arrange
      const { deps, entries, idempotency } = fakeApiDeps();
      const command = { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' };
      const create = entries.create.bind(entries);
      deps.entries.create = vi.fn().mockRejectedValueOnce(new EntryNotStoredError('throttled')).mockImplementation(create);
      await expect(createEntry(deps, command)).rejects.toThrow('throttled');
      const keysAfterFailure = idempotency.keys.size;

      // Act
      const retry = await createEntry(deps, command);

      // Assert
      expect(keysAfterFailure).toBe(0);
      expect(retry).toMatchObject({ kind: 'accepted', replayed: false, response: { statusCode: 202 } });
      expect(entries.entries.size).toBe(1);
    });

    it('keeps the claim of an ambiguous write that committed after all, so the retry gets that entry, not a second one', async () => {
      // Arrange: the put commits, then the call fails (a timeout) and the read-back fails too
      const { deps, entries } = fakeApiDeps();
      const command = { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' };
      const create = entries.create.bind(entries);
      const get = entries.get.bind(entries);
      deps.entries.create = vi
        .fn()
        .mockImplementationOnce(async (entry) => {
          await create(entry);
          throw new Error('socket timeout');
        })
        .mockImplementation(create);
      deps.entries.get = vi.fn().mockRejectedValueOnce(new Error('socket timeout')).mockImplementation(get);
      await expect(createEntry(deps, command)).rejects.toThrow('socket timeout');
      const [firstEntry] = [...entries.entries.values()];

      // Act
      const retry = await createEntry(deps, command);

      // Assert
      expect(entries.entries.size).toBe(1);
      expect(retry).toMatchObject({ kind: 'accepted', response: { statusCode: 202, location: `/logs/${firstEntry!.id}` } });
    });

    it('resumes with the claimed entry id after an ambiguous write that did not commit', async () => {
      // Arrange: the put fails ambiguously and nothing is stored (yet)
      const { deps, entries, jobs } = fakeApiDeps();
      const command = { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' };
      const create = entries.create.bind(entries);
      const attempted: string[] = [];
      deps.entries.create = vi
        .fn()
        .mockImplementationOnce(async (entry) => {
          attempted.push(entry.id);
          throw new Error('HTTP 500');
        })
        .mockImplementation(async (entry) => {
          attempted.push(entry.id);
          return create(entry);
        });
      await expect(createEntry(deps, command)).rejects.toThrow('HTTP 500');

      // Act
      const retry = await createEntry(deps, command);

      // Assert
      expect(attempted).toEqual([attempted[0], attempted[0]]);
      expect(retry).toMatchObject({ kind: 'accepted', response: { location: `/logs/${attempted[0]}` } });
      expect([...entries.entries.values()].map((entry) => entry.id)).toEqual([attempted[0]]);
      expect(jobs.sent.map((job) => job.id)).toEqual([attempted[0]]);
    });

    it('answers 202 with the entry when an SDK retry of a committed put finds its id taken', async () => {
      // Arrange: the first attempt committed, the retried attempt hit the condition
      const { deps, entries, jobs, idempotency } = fakeApiDeps();
      const command = { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' };
      const create = entries.create.bind(entries);
      deps.entries.create = vi.fn().mockImplementationOnce(async (entry) => {
        await create(entry);
        return create(entry);
      });

      // Act
      const result = await createEntry(deps, command);
      const retry = await createEntry(deps, command);

      // Assert
      const id = [...entries.entries.values()][0]!.id;
      expect(entries.entries.size).toBe(1);
      expect(result).toMatchObject({ kind: 'accepted', response: { statusCode: 202, location: `/logs/${id}` } });
      expect(jobs.sent.map((job) => job.id)).toEqual([id]);
      expect(retry).toEqual({ ...result, replayed: true });
      expect(idempotency.keys.get('user-a/key-1')?.state).toBe('completed');
    });

    it('remembers the 202 even when the enqueue failed', async () => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      deps.jobs.enqueue = vi.fn().mockRejectedValue(new Error('SQS unavailable'));
      const command = { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' };
      const first = await createEntry(deps, command);

      // Act
      const retry = await createEntry(deps, command);

      // Assert
      expect(retry).toEqual({ ...first, replayed: true });
      expect(entries.entries.size).toBe(1);
    });

    it('keeps keys apart per owner', async () => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      await createEntry(deps, { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' });

      // Act
      const result = await createEntry(deps, { ownerId: 'user-b', entry: 'Used Flask', idempotencyKey: 'key-1' });

      // Assert
      expect(result).toMatchObject({ kind: 'accepted', replayed: false });
      expect(entries.entries.size).toBe(2);
    });

    it('answers a retry after the answer could not be saved with the stored entry, not a second one', async () => {
      // Arrange: the first attempt stores the entry, then fails to save its answer
      const { deps, entries, idempotency } = fakeApiDeps();
      const command = { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' };
      deps.idempotency.complete = vi
        .fn()
        .mockRejectedValueOnce(new Error('throttled'))
        .mockImplementation(idempotency.complete.bind(idempotency));
      await expect(createEntry(deps, command)).rejects.toThrow('throttled');
      const [firstEntry] = [...entries.entries.values()];
      idempotency.abandon('user-a', 'key-1');

      // Act
      const retry = await createEntry(deps, command);
      const later = await createEntry(deps, command);

      // Assert
      expect(entries.entries.size).toBe(1);
      expect(retry).toMatchObject({
        kind: 'accepted',
        replayed: true,
        response: { statusCode: 202, location: `/logs/${firstEntry!.id}`, body: { id: firstEntry!.id } },
      });
      expect(later).toEqual({ ...retry, replayed: true });
    });

    it('creates the claimed entry on a retry after the first attempt died before storing it', async () => {
      // Arrange: a claim whose request crashed before it stored anything
      const { deps, entries, jobs, idempotency } = fakeApiDeps();
      const command = { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' };
      await idempotency.claim('user-a', 'key-1', hashOf('Used Django'), '01JDQ8Z6X4M1V9T3K7N2P5CRSH');
      idempotency.abandon('user-a', 'key-1');

      // Act
      const retry = await createEntry(deps, command);

      // Assert
      expect(retry).toMatchObject({ kind: 'accepted', replayed: false, response: { location: '/logs/01JDQ8Z6X4M1V9T3K7N2P5CRSH' } });
      expect([...entries.entries.values()].map((entry) => entry.id)).toEqual(['01JDQ8Z6X4M1V9T3K7N2P5CRSH']);
      expect(jobs.sent.map((job) => job.id)).toEqual(['01JDQ8Z6X4M1V9T3K7N2P5CRSH']);
    });

    it('gives concurrent retries of an abandoned key the one entry, counted once, not a 500 to the one that loses the race', async () => {
      // Arrange: an abandoned claim, and two retries that both read "not stored" before either writes
      const { deps, entries, idempotency, quotaCounter } = fakeApiDeps();
      let tick = 0;
      deps.clock = { now: () => new Date(Date.UTC(2026, 10, 23, 10, 0, tick++)) };
      const command = { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' };
      await idempotency.claim('user-a', 'key-1', hashOf('Used Django'), '01JDQ8Z6X4M1V9T3K7N2P5CRSH');
      idempotency.abandon('user-a', 'key-1');
      const get = entries.get.bind(entries);
      let readsBeforeWrite = 0;
      let bothRead!: () => void;
      const barrier = new Promise<void>((resolve) => (bothRead = resolve));
      deps.entries.get = async (ownerId, id) => {
        const found = await get(ownerId, id);
        if (readsBeforeWrite < 2) {
          readsBeforeWrite++;
          if (readsBeforeWrite === 2) bothRead();
          await barrier;
        }
        return found;
      };

      // Act
      const results = await Promise.all([createEntry(deps, command), createEntry(deps, command)]);

      // Assert
      expect(entries.entries.size).toBe(1);
      expect([...quotaCounter.counts.values()]).toEqual([1]);
      const { ownerId: _owner, ...stored } = [...entries.entries.values()][0]!;
      for (const result of results) {
        expect(result).toMatchObject({
          kind: 'accepted',
          response: { statusCode: 202, location: '/logs/01JDQ8Z6X4M1V9T3K7N2P5CRSH', body: stored },
        });
      }
    });
  });

  describe('the daily quota', () => {
    it('refuses an entry over the quota without storing or enqueuing anything, and says when it resets', async () => {
      // Arrange
      const { deps, entries, jobs } = fakeApiDeps({ dailyEntryQuota: 1 });
      await createEntry(deps, { ownerId: 'user-a', entry: 'Used Django' });

      // Act
      const result = await createEntry(deps, { ownerId: 'user-a', entry: 'Used Flask' });

      // Assert
      expect(result).toEqual({ kind: 'over-quota', quota: { limit: 1, remaining: 0, resetSeconds: 50_400 } });
      expect(entries.entries.size).toBe(1);
      expect(jobs.sent).toHaveLength(1);
    });

    it('tells an accepted entry how many remain today', async () => {
      // Arrange
      const { deps } = fakeApiDeps({ dailyEntryQuota: 3 });

      // Act
      const result = await createEntry(deps, { ownerId: 'user-a', entry: 'Used Django' });

      // Assert
      expect(result).toMatchObject({ kind: 'accepted', quota: { limit: 3, remaining: 2, resetSeconds: 50_400 } });
    });

    it('does not count a replay of the same Idempotency-Key twice, and replays it even when the quota is used up', async () => {
      // Arrange
      const { deps, quotaCounter } = fakeApiDeps({ dailyEntryQuota: 2 });
      const command = { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' };
      await createEntry(deps, command);
      await createEntry(deps, command);
      await createEntry(deps, { ownerId: 'user-a', entry: 'Used Flask' });

      // Act
      const replay = await createEntry(deps, command);

      // Assert
      expect(replay).toMatchObject({ kind: 'accepted', replayed: true, quota: { remaining: 0 } });
      expect([...quotaCounter.counts.values()]).toEqual([2]);
    });

    it('frees the Idempotency-Key of a refused request, so the same request succeeds once the quota allows it', async () => {
      // Arrange
      let now = new Date('2026-11-23T23:59:00.000Z');
      const { deps, idempotency } = fakeApiDeps({ dailyEntryQuota: 1, now: () => now });
      await createEntry(deps, { ownerId: 'user-a', entry: 'Used Django' });
      const command = { ownerId: 'user-a', entry: 'Used Flask', idempotencyKey: 'key-2' };
      const refused = await createEntry(deps, command);

      // Act
      now = new Date('2026-11-24T00:00:01.000Z');
      const retried = await createEntry(deps, command);

      // Assert
      expect(refused.kind).toBe('over-quota');
      expect(retried).toMatchObject({ kind: 'accepted', replayed: false });
      expect(idempotency.keys.get('user-a/key-2')?.state).toBe('completed');
    });

    it('frees the key when the quota cannot be read, since nothing was stored', async () => {
      // Arrange
      const { deps, idempotency, entries } = fakeApiDeps();
      deps.quota.consume = async () => {
        throw new Error('DynamoDB is down');
      };

      // Act
      const attempt = createEntry(deps, { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' });

      // Assert
      await expect(attempt).rejects.toThrow('DynamoDB is down');
      expect(idempotency.keys.has('user-a/key-1')).toBe(false);
      expect(entries.entries.size).toBe(0);
    });

    it('counts the entry a resumed claim creates when its first attempt died before counting it, and refuses it over the quota', async () => {
      // Arrange: the quota is used up, and a claim whose request crashed right after claiming
      const { deps, entries, idempotency, quotaCounter } = fakeApiDeps({ dailyEntryQuota: 1 });
      await createEntry(deps, { ownerId: 'user-a', entry: 'Used Flask' });
      await idempotency.claim('user-a', 'key-1', hashOf('Used Django'), '01JDQ8Z6X4M1V9T3K7N2P5CRSH');
      idempotency.abandon('user-a', 'key-1');

      // Act
      const resumed = await createEntry(deps, { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' });

      // Assert
      expect(resumed).toMatchObject({ kind: 'over-quota', quota: { remaining: 0 } });
      expect(entries.entries.size).toBe(1);
      expect([...quotaCounter.counts.values()]).toEqual([1]);
    });

    it('counts once an entry whose first attempt counted it and failed ambiguously before storing it', async () => {
      // Arrange: the first attempt counted, then its put failed without committing
      const { deps, entries, quotaCounter } = fakeApiDeps({ dailyEntryQuota: 5 });
      const command = { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' };
      const create = entries.create.bind(entries);
      deps.entries.create = vi.fn().mockRejectedValueOnce(new Error('HTTP 500')).mockImplementation(create);
      await expect(createEntry(deps, command)).rejects.toThrow('HTTP 500');

      // Act
      const resumed = await createEntry(deps, command);

      // Assert
      expect(resumed).toMatchObject({ kind: 'accepted', quota: { remaining: 4 } });
      expect(entries.entries.size).toBe(1);
      expect([...quotaCounter.counts.values()]).toEqual([1]);
    });

    it('gives the entry back when the write was surely refused, so nothing stored counts nothing', async () => {
      // Arrange
      const { deps, quotaCounter } = fakeApiDeps({ dailyEntryQuota: 5 });
      deps.entries.create = vi.fn().mockRejectedValue(new EntryNotStoredError('validation'));

      // Act
      const attempt = createEntry(deps, { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' });

      // Assert
      await expect(attempt).rejects.toThrow('validation');
      expect([...quotaCounter.counts.values()]).toEqual([0]);
    });

    it('does not count a resumed abandoned request again (its first attempt counted it)', async () => {
      // Arrange
      const { deps, idempotency, quotaCounter } = fakeApiDeps({ dailyEntryQuota: 5 });
      const command = { ownerId: 'user-a', entry: 'Used Django', idempotencyKey: 'key-1' };
      const complete = deps.idempotency.complete.bind(deps.idempotency);
      deps.idempotency.complete = async () => {
        throw new Error('lost the answer');
      };
      await createEntry(deps, command).catch(() => undefined);
      deps.idempotency.complete = complete;
      idempotency.abandon('user-a', 'key-1');

      // Act
      const resumed = await createEntry(deps, command);

      // Assert
      expect(resumed).toMatchObject({ kind: 'accepted', quota: { remaining: 4 } });
      expect([...quotaCounter.counts.values()]).toEqual([1]);
    });
  });
});
