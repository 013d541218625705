import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../../lambdas/devlog-api/domain/entry.js';
import { getEntry, listEntries } from '../../../../lambdas/devlog-api/domain/read-entries.js';
import { InMemoryEntryStore } from '../../support/fake-api-ports.js';

function entry(id: string, ownerId: string): Entry {
  return {
    id,
    ownerId,
    entry: `entry ${id}`,
    status: 'done',
    tags: [{ type: 'tech-stack', value: 'Django' }],
    revision: 1,
    createdAt: '2026-11-23T10:00:00.000Z',
    updatedAt: '2026-11-23T10:01:00.000Z',
    model: 'gpt-4o-mini',
    promptVersion: 1,
  };
}

const ID_1 = '01JDQ8Z6X4M1V9T3K7N2P50001';
const ID_2 = '01JDQ8Z6X4M1V9T3K7N2P50002';

describe('getEntry', () => {
  it("returns the caller's entry with its tags, without the owner", async () => {
    // Arrange
    const store = new InMemoryEntryStore();
    await store.create(entry(ID_1, 'user-a'));

    // Act
    const view = await getEntry(store, 'user-a', ID_1);

    // Assert
    const { ownerId: _owner, ...withoutOwner } = entry(ID_1, 'user-a');
    expect(view).toEqual(withoutOwner);
  });

  it("returns nothing for another owner's entry", async () => {
    // Arrange
    const store = new InMemoryEntryStore();
    await store.create(entry(ID_1, 'user-a'));

    // Act
    const view = await getEntry(store, 'user-b', ID_1);

    // Assert
    expect(view).toBeUndefined();
  });
});

describe('listEntries', () => {
  it('returns the page without owners and passes the paging position on', async () => {
    // Arrange
    const store = new InMemoryEntryStore();
    await store.create(entry(ID_1, 'user-a'));
    await store.create(entry(ID_2, 'user-a'));

    // Act
    const page = await listEntries(store, 'user-a', 1);

    // Assert
    expect(page.items.map((item) => item.id)).toEqual([ID_2]);
    expect(page.items[0]).not.toHaveProperty('ownerId');
    expect(page.lastId).toBe(ID_2);
  });
});
