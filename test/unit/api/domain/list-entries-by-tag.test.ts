import { describe, expect, it, vi } from 'vitest';
import type { Entry } from '../../../../lambdas/devlog-api/domain/entry.js';
import { listEntriesByTag, TAG_INDEX_ROWS_PER_REQUEST } from '../../../../lambdas/devlog-api/domain/list-entries-by-tag.js';
import { tagKey } from '../../../../lambdas/devlog-api/domain/tech-stack.js';
import { InMemoryEntryStore } from '../../support/fake-api-ports.js';
import { InMemoryTagAggregates } from '../../support/fake-tech-stack-ports.js';

const id = (n: number) => `01JDQ8Z6X4M1V9T3K7N2P5${String(n).padStart(4, '0')}`;

/** Entries with their tags, and the tag index the aggregator would have built from them. */
async function setup(tagsById: Record<number, string[]>, ownerId = 'user-a') {
  const entries = new InMemoryEntryStore();
  const taggedEntries = new InMemoryTagAggregates();
  for (const [n, tags] of Object.entries(tagsById)) {
    const entry: Entry = {
      id: id(Number(n)),
      ownerId,
      entry: `entry ${n}`,
      status: 'done',
      tags: tags.map((value) => ({ type: 'tech-stack', value })),
      revision: 1,
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:00:00.000Z',
    };
    await entries.create(entry);
    for (const value of tags) await taggedEntries.indexEntry(ownerId, entry.id, tagKey(value), value, entry.createdAt);
  }
  return { entries, taggedEntries, deps: { entries, taggedEntries } };
}

describe('listEntriesByTag', () => {
  it("lists the caller's entries carrying the tag, newest first, matching case-insensitively", async () => {
    // Arrange
    const { deps } = await setup({ 1: ['Django'], 2: ['Rust'], 3: ['django', 'Redis'], 4: ['Django'] });

    // Act
    const page = await listEntriesByTag(deps, 'user-a', '  DJANGO ', 10);

    // Assert
    expect(page.items.map((entry) => entry.id)).toEqual([id(4), id(3), id(1)]);
    expect(page.items[0]).not.toHaveProperty('ownerId');
    expect(page.lastId).toBeUndefined();
  });

  it('pages with the last id, and never reaches another owner', async () => {
    // Arrange
    const { deps, entries, taggedEntries } = await setup({ 1: ['Go'], 2: ['Go'], 3: ['Go'] });
    await entries.create({ ...(await entries.get('user-a', id(1)))!, id: id(9), ownerId: 'user-b' });
    await taggedEntries.indexEntry('user-b', id(9), 'go', 'Go', '2026-11-23T10:00:00.000Z');

    // Act
    const first = await listEntriesByTag(deps, 'user-a', 'go', 2);
    const second = await listEntriesByTag(deps, 'user-a', 'go', 2, first.lastId);

    // Assert
    expect(first.items.map((entry) => entry.id)).toEqual([id(3), id(2)]);
    expect(first.lastId).toBe(id(2));
    expect(second.items.map((entry) => entry.id)).toEqual([id(1)]);
    expect(second.lastId).toBeUndefined();
  });

  it('skips entries the index still lists but that no longer carry the tag (edited or deleted meanwhile), filling the page from further rows', async () => {
    // Arrange: the aggregator has not caught up with an edit of 4 and a deletion of 3
    const { deps, entries } = await setup({ 1: ['Kafka'], 2: ['Kafka'], 3: ['Kafka'], 4: ['Kafka'] });
    const edited = (await entries.get('user-a', id(4)))!;
    entries.entries.set(`user-a/${id(4)}`, { ...edited, status: 'pending', tags: [], revision: 2 });
    entries.entries.delete(`user-a/${id(3)}`);

    // Act
    const page = await listEntriesByTag(deps, 'user-a', 'Kafka', 2);

    // Assert
    expect(page.items.map((entry) => entry.id)).toEqual([id(2), id(1)]);
  });

  it('reads a bounded number of index rows per request when the index holds many rows of deleted entries, and pages on with the cursor', async () => {
    // Arrange: the oldest entry carries the tag; 600 newer ones were deleted and are still indexed
    const { deps, entries, taggedEntries } = await setup({ 1: ['Kafka'] });
    for (let n = 2; n <= 601; n++) await taggedEntries.indexEntry('user-a', id(n), 'kafka', 'Kafka', '2026-11-23T10:00:00.000Z');
    const get = vi.spyOn(entries, 'get');
    const query = vi.spyOn(taggedEntries, 'entriesTagged');

    // Act
    const first = await listEntriesByTag(deps, 'user-a', 'Kafka', 1);
    const readsOfFirst = { rows: get.mock.calls.length, queries: query.mock.calls.length };
    const pages = [first];
    while (pages.at(-1)?.lastId !== undefined && pages.length < 10)
      pages.push(await listEntriesByTag(deps, 'user-a', 'Kafka', 1, pages.at(-1)!.lastId));

    // Assert
    expect(first.items).toEqual([]);
    expect(first.lastId).toBeDefined();
    expect(readsOfFirst.rows).toBeLessThanOrEqual(TAG_INDEX_ROWS_PER_REQUEST);
    expect(readsOfFirst.queries).toBeLessThanOrEqual(10);
    expect(pages.flatMap((page) => page.items.map((entry) => entry.id))).toEqual([id(1)]);
    expect(pages.at(-1)?.lastId).toBeUndefined();
  });

  it('keeps the cursor at the last row it examined when a larger index read fills the page early', async () => {
    // Arrange: two stale rows, then four live entries
    const { deps, entries } = await setup({ 1: ['Go'], 2: ['Go'], 3: ['Go'], 4: ['Go'], 5: ['Go'], 6: ['Go'] });
    entries.entries.delete(`user-a/${id(6)}`);
    entries.entries.delete(`user-a/${id(5)}`);

    // Act
    const first = await listEntriesByTag(deps, 'user-a', 'go', 2);
    const second = await listEntriesByTag(deps, 'user-a', 'go', 2, first.lastId);

    // Assert
    expect(first.items.map((entry) => entry.id)).toEqual([id(4), id(3)]);
    expect(first.lastId).toBe(id(3));
    expect(second.items.map((entry) => entry.id)).toEqual([id(2), id(1)]);
  });

  it('reads only the tag index rows of the tag, never every entry', async () => {
    // Arrange
    const { deps, entries, taggedEntries } = await setup({ 1: ['Elm'], 2: ['Rust'], 3: ['Rust'], 4: ['Rust'], 5: ['Elm'] });
    const get = vi.spyOn(entries, 'get');
    const list = vi.spyOn(entries, 'list');
    const query = vi.spyOn(taggedEntries, 'entriesTagged');

    // Act
    await listEntriesByTag(deps, 'user-a', 'elm', 10);

    // Assert
    expect(list).not.toHaveBeenCalled();
    expect(query).toHaveBeenCalledExactlyOnceWith('user-a', 'elm', 10, undefined);
    expect(get.mock.calls.map(([, entryId]) => entryId).sort()).toEqual([id(1), id(5)]);
  });

  it('answers an empty page for a tag nobody carries', async () => {
    // Arrange
    const { deps } = await setup({ 1: ['Go'] });

    // Act + Assert
    expect(await listEntriesByTag(deps, 'user-a', 'COBOL', 20)).toEqual({ items: [], lastId: undefined });
  });
});
