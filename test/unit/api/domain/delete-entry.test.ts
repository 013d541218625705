import { describe, expect, it, vi } from 'vitest';
import { createEntry } from '../../../../lambdas/devlog-api/domain/create-entry.js';
import { deleteEntry } from '../../../../lambdas/devlog-api/domain/delete-entry.js';
import { editEntry } from '../../../../lambdas/devlog-api/domain/edit-entry.js';
import { fakeApiDeps } from '../../support/fake-api-ports.js';

async function created(deps: ReturnType<typeof fakeApiDeps>['deps'], idempotencyKey?: string): Promise<string> {
  const result = await createEntry(deps, { ownerId: 'user-a', entry: 'Used Django.', idempotencyKey });
  if (result.kind !== 'accepted') throw new Error(`not accepted: ${result.kind}`);
  return (result.response.body as { id: string }).id;
}

describe('deleteEntry', () => {
  it('deletes the entry and forgets the Idempotency-Key that created it, so a replay makes a new entry', async () => {
    // Arrange
    const { deps, entries } = fakeApiDeps();
    const id = await created(deps, 'key-1');

    // Act
    const deleted = await deleteEntry(deps, 'user-a', id);
    const replay = await createEntry(deps, { ownerId: 'user-a', entry: 'Used Django.', idempotencyKey: 'key-1' });

    // Assert
    expect(deleted).toBe('deleted');
    expect(await entries.get('user-a', id)).toBeUndefined();
    expect(replay).toMatchObject({ kind: 'accepted', replayed: false });
    expect((replay as { response: { body: { id: string } } }).response.body.id).not.toBe(id);
  });

  it("answers not-found for a missing entry and for another owner's, and deletes nothing", async () => {
    // Arrange
    const { deps, entries } = fakeApiDeps();
    const id = await created(deps);

    // Act + Assert
    expect(await deleteEntry(deps, 'user-b', id)).toBe('not-found');
    expect(await deleteEntry(deps, 'user-a', '01JDQ8Z6X4M1V9T3K7N2P5ZZZZ')).toBe('not-found');
    expect(await entries.get('user-a', id)).toBeDefined();
  });

  it('answers not-found the second time: the entry is gone', async () => {
    // Arrange
    const { deps } = fakeApiDeps();
    const id = await created(deps);
    await deleteEntry(deps, 'user-a', id);

    // Act + Assert
    expect(await deleteEntry(deps, 'user-a', id)).toBe('not-found');
  });

  it('still deletes when the key cannot be forgotten, and says so in the log', async () => {
    // Arrange
    const { deps, entries, idempotency, logger } = fakeApiDeps();
    const id = await created(deps, 'key-2');
    vi.spyOn(idempotency, 'forget').mockRejectedValueOnce(new Error('throttled'));

    // Act
    const deleted = await deleteEntry(deps, 'user-a', id);

    // Assert
    expect(deleted).toBe('deleted');
    expect(await entries.get('user-a', id)).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('Idempotency-Key'), expect.objectContaining({ entryId: id }));
  });

  describe('If-Match', () => {
    it('deletes an entry at one of the revisions the client saw', async () => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      const id = await created(deps);

      // Act
      const deleted = await deleteEntry(deps, 'user-a', id, [1]);

      // Assert
      expect(deleted).toBe('deleted');
      expect(await entries.get('user-a', id)).toBeUndefined();
    });

    it('keeps an entry edited since the client read it', async () => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      const id = await created(deps);
      await editEntry(deps, { ownerId: 'user-a', id, entry: 'Edited by another tab.' });

      // Act
      const result = await deleteEntry(deps, 'user-a', id, [1]);

      // Assert
      expect(result).toBe('precondition-failed');
      expect(await entries.get('user-a', id)).toMatchObject({ revision: 2 });
    });

    it('keeps an entry edited between its read and the delete', async () => {
      // Arrange
      const { deps, entries } = fakeApiDeps();
      const id = await created(deps);
      const get = entries.get.bind(entries);
      vi.spyOn(entries, 'get').mockImplementationOnce(async (ownerId, entryId) => {
        const before = await get(ownerId, entryId);
        await editEntry(deps, { ownerId: 'user-a', id, entry: 'Edited meanwhile.' });
        return before;
      });

      // Act
      const result = await deleteEntry(deps, 'user-a', id, [1]);

      // Assert
      expect(result).toBe('precondition-failed');
      expect(await entries.get('user-a', id)).toMatchObject({ revision: 2 });
    });
  });
});
