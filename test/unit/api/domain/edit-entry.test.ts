import { describe, expect, it, vi } from 'vitest';
import { createEntry } from '../../../../lambdas/devlog-api/domain/create-entry.js';
import { editEntry } from '../../../../lambdas/devlog-api/domain/edit-entry.js';
import type { Entry } from '../../../../lambdas/devlog-api/domain/entry.js';
import type { TextEdit } from '../../../../lambdas/devlog-api/domain/ports.js';
import { fakeApiDeps } from '../../support/fake-api-ports.js';

async function storedEntry(deps: ReturnType<typeof fakeApiDeps>['deps'], text = 'Used Django with PostgreSQL.'): Promise<string> {
  const result = await createEntry(deps, { ownerId: 'user-a', entry: text });
  if (result.kind !== 'accepted') throw new Error(`not accepted: ${result.kind}`);
  return (result.response.body as { id: string }).id;
}

describe('editEntry', () => {
  it('replaces the text at the next revision, pending without the old tags, and enqueues a job for that revision', async () => {
    // Arrange
    const { deps, entries, jobs } = fakeApiDeps();
    const id = await storedEntry(deps);
    const tagged: Entry = {
      ...(await entries.get('user-a', id))!,
      status: 'done',
      tags: [{ type: 'tech-stack', value: 'Django' }],
      model: 'm',
      promptVersion: 1,
      extractorVersion: '1.1.0',
    };
    entries.entries.set(`user-a/${id}`, tagged);
    jobs.sent.length = 0;

    // Act
    const result = await editEntry(deps, { ownerId: 'user-a', id, entry: 'Rewrote it in Rust.' });

    // Assert
    const expected = {
      id,
      entry: 'Rewrote it in Rust.',
      status: 'pending',
      tags: [],
      revision: 2,
      createdAt: tagged.createdAt,
      updatedAt: '2026-11-23T10:00:00.000Z',
    };
    expect(result).toEqual({ kind: 'accepted', entry: expected, quota: { limit: 1000, remaining: 998, resetSeconds: 50_400 } });
    expect(await entries.get('user-a', id)).toEqual({ ...expected, ownerId: 'user-a' });
    expect(jobs.sent).toEqual([{ ...expected, ownerId: 'user-a' }]);
  });

  it("answers not-found for a missing entry and for another owner's, alike, and changes nothing", async () => {
    // Arrange
    const { deps, entries, jobs } = fakeApiDeps();
    const id = await storedEntry(deps);
    jobs.sent.length = 0;

    // Act
    const missing = await editEntry(deps, { ownerId: 'user-a', id: '01JDQ8Z6X4M1V9T3K7N2P5ZZZZ', entry: 'x' });
    const foreign = await editEntry(deps, { ownerId: 'user-b', id, entry: 'x' });

    // Assert
    expect(missing).toEqual({ kind: 'not-found' });
    expect(foreign).toEqual({ kind: 'not-found' });
    expect((await entries.get('user-a', id))?.revision).toBe(1);
    expect(jobs.sent).toEqual([]);
  });

  it('answers conflict when another edit lands between the read and the write, and keeps that edit', async () => {
    // Arrange: the rival edit commits just before ours is written
    const { deps, entries, jobs } = fakeApiDeps();
    const id = await storedEntry(deps);
    jobs.sent.length = 0;
    const replaceText = entries.replaceText.bind(entries);
    vi.spyOn(entries, 'replaceText').mockImplementationOnce(async (edit: TextEdit) => {
      await replaceText({ ...edit, entry: 'The rival edit.' });
      return replaceText(edit);
    });

    // Act
    const result = await editEntry(deps, { ownerId: 'user-a', id, entry: 'The losing edit.' });

    // Assert
    expect(result).toEqual({ kind: 'conflict' });
    expect(await entries.get('user-a', id)).toMatchObject({ entry: 'The rival edit.', revision: 2 });
    expect(jobs.sent).toEqual([]);
  });

  it('answers not-found when the entry is deleted between the read and the write', async () => {
    // Arrange
    const { deps, entries } = fakeApiDeps();
    const id = await storedEntry(deps);
    const replaceText = entries.replaceText.bind(entries);
    vi.spyOn(entries, 'replaceText').mockImplementationOnce(async (edit: TextEdit) => {
      entries.entries.delete(`user-a/${id}`);
      return replaceText(edit);
    });

    // Act + Assert
    expect(await editEntry(deps, { ownerId: 'user-a', id, entry: 'Too late.' })).toEqual({ kind: 'not-found' });
  });

  it('still accepts the edit when the enqueue fails: the entry stays pending for the reconciler', async () => {
    // Arrange
    const { deps, jobs, logger } = fakeApiDeps();
    const id = await storedEntry(deps);
    vi.spyOn(jobs, 'enqueue').mockRejectedValueOnce(new Error('SQS down'));

    // Act
    const result = await editEntry(deps, { ownerId: 'user-a', id, entry: 'Rewrote it in Rust.' });

    // Assert
    expect(result).toMatchObject({ kind: 'accepted', entry: { status: 'pending', revision: 2 } });
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('reconciler'), expect.objectContaining({ entryId: id, revision: 2 }));
  });

  describe('the daily quota', () => {
    it('counts an edit as an entry', async () => {
      // Arrange
      const { deps, quotaCounter } = fakeApiDeps({ dailyEntryQuota: 5 });
      const id = await storedEntry(deps);

      // Act
      const result = await editEntry(deps, { ownerId: 'user-a', id, entry: 'Rewrote it in Rust.' });

      // Assert
      expect(result).toMatchObject({ kind: 'accepted', quota: { limit: 5, remaining: 3 } });
      expect([...quotaCounter.counts.values()]).toEqual([2]);
    });

    it('refuses an edit over the quota and leaves the entry and the queue as they were', async () => {
      // Arrange
      const { deps, entries, jobs } = fakeApiDeps({ dailyEntryQuota: 1 });
      const id = await storedEntry(deps);
      const before = await entries.get('user-a', id);
      jobs.sent.length = 0;

      // Act
      const result = await editEntry(deps, { ownerId: 'user-a', id, entry: 'Rewrote it in Rust.' });

      // Assert
      expect(result).toEqual({ kind: 'over-quota', quota: { limit: 1, remaining: 0, resetSeconds: 50_400 } });
      expect(await entries.get('user-a', id)).toEqual(before);
      expect(jobs.sent).toEqual([]);
    });

    it('does not count an edit of a missing entry', async () => {
      // Arrange
      const { deps, quotaCounter } = fakeApiDeps();

      // Act
      await editEntry(deps, { ownerId: 'user-a', id: '01JDQ8Z6X4M1V9T3K7N2P5ZZZZ', entry: 'x' });

      // Assert
      expect(quotaCounter.counts.size).toBe(0);
    });
    it('spends nothing on an edit that answers not-found or conflict: the quota is spent only when the edit is stored', async () => {
      // Arrange: a rival edit lands between the read and the write; another edit finds its entry deleted
      const { deps, entries, quotaCounter } = fakeApiDeps({ dailyEntryQuota: 5 });
      const id = await storedEntry(deps);
      const gone = await storedEntry(deps, 'Used Flask.');
      const replaceText = entries.replaceText.bind(entries);
      vi.spyOn(entries, 'replaceText')
        .mockImplementationOnce(async (edit: TextEdit) => {
          await replaceText({ ...edit, entry: 'The rival edit.' });
          return replaceText(edit);
        })
        .mockImplementationOnce(async (edit: TextEdit) => {
          entries.entries.delete(`user-a/${gone}`);
          return replaceText(edit);
        });

      // Act
      const conflict = await editEntry(deps, { ownerId: 'user-a', id, entry: 'The losing edit.' });
      const missing = await editEntry(deps, { ownerId: 'user-a', id: gone, entry: 'Too late.' });

      // Assert
      expect(conflict).toEqual({ kind: 'conflict' });
      expect(missing).toEqual({ kind: 'not-found' });
      expect([...quotaCounter.counts.values()]).toEqual([2]);
    });

    it('spends nothing when the write fails and did not store the edit', async () => {
      // Arrange
      const { deps, entries, quotaCounter } = fakeApiDeps({ dailyEntryQuota: 5 });
      const id = await storedEntry(deps);
      vi.spyOn(entries, 'replaceText').mockRejectedValueOnce(new Error('HTTP 500'));

      // Act
      const attempt = editEntry(deps, { ownerId: 'user-a', id, entry: 'Rewrote it in Rust.' });

      // Assert
      await expect(attempt).rejects.toThrow('HTTP 500');
      expect([...quotaCounter.counts.values()]).toEqual([1]);
    });
  });

  describe('an edit that changes nothing', () => {
    it('answers with the entry as it is: no revision, no job, no quota', async () => {
      // Arrange
      const { deps, entries, jobs, quotaCounter } = fakeApiDeps({ dailyEntryQuota: 5 });
      const id = await storedEntry(deps, 'Used Django.');
      const tagged: Entry = { ...(await entries.get('user-a', id))!, status: 'done', tags: [{ type: 'tech-stack', value: 'Django' }] };
      entries.entries.set(`user-a/${id}`, tagged);
      jobs.sent.length = 0;

      // Act
      const result = await editEntry(deps, { ownerId: 'user-a', id, entry: 'Used Django.' });

      // Assert
      const { ownerId: _ownerId, ...view } = tagged;
      expect(result).toEqual({ kind: 'unchanged', entry: view });
      expect(await entries.get('user-a', id)).toEqual(tagged);
      expect(jobs.sent).toEqual([]);
      expect([...quotaCounter.counts.values()]).toEqual([1]);
    });
  });

  describe('If-Match', () => {
    it('edits an entry at one of the revisions the client saw', async () => {
      // Arrange
      const { deps } = fakeApiDeps();
      const id = await storedEntry(deps);

      // Act
      const result = await editEntry(deps, { ownerId: 'user-a', id, entry: 'Rewrote it in Rust.', ifRevisionIn: [3, 1] });

      // Assert
      expect(result).toMatchObject({ kind: 'accepted', entry: { revision: 2 } });
    });

    it('refuses an edit of a revision the client has not seen, changing and spending nothing', async () => {
      // Arrange
      const { deps, entries, jobs, quotaCounter } = fakeApiDeps({ dailyEntryQuota: 5 });
      const id = await storedEntry(deps);
      await editEntry(deps, { ownerId: 'user-a', id, entry: 'Someone else edited it.' });
      jobs.sent.length = 0;

      // Act
      const result = await editEntry(deps, { ownerId: 'user-a', id, entry: 'My edit of revision 1.', ifRevisionIn: [1] });

      // Assert
      expect(result).toEqual({ kind: 'precondition-failed' });
      expect(await entries.get('user-a', id)).toMatchObject({ entry: 'Someone else edited it.', revision: 2 });
      expect(jobs.sent).toEqual([]);
      expect([...quotaCounter.counts.values()]).toEqual([2]);
    });

    it('answers precondition-failed, not conflict, when another edit lands between the read and the write', async () => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      const id = await storedEntry(deps);
      const replaceText = entries.replaceText.bind(entries);
      vi.spyOn(entries, 'replaceText').mockImplementationOnce(async (edit: TextEdit) => {
        await replaceText({ ...edit, entry: 'The rival edit.' });
        return replaceText(edit);
      });

      // Act
      const result = await editEntry(deps, { ownerId: 'user-a', id, entry: 'The losing edit.', ifRevisionIn: [1] });

      // Assert
      expect(result).toEqual({ kind: 'precondition-failed' });
    });
  });
});
