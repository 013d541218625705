import { toEntryView, type EntryView } from './entry.js';
import type { EntryStore } from './ports.js';
import { tagKey } from './tech-stack.js';
import type { TaggedEntries } from './tech-stack-ports.js';

/** Ports of the tag filter. */
export interface ListEntriesByTagDeps {
  entries: EntryStore;
  taggedEntries: TaggedEntries;
}

/** A page of entries carrying a tag, with the last id examined when more may follow. */
export interface TaggedEntryPage {
  items: EntryView[];
  lastId?: string;
}

/**
 * The caller's entries that carry the tag now (case-insensitively: by `tagKey`), newest first.
 * The tag index names them, so the cost grows with the entries carrying the tag; each is read
 * from the entries table for its current state. The index follows the entries a moment behind
 * (through the stream), so an entry edited or deleted since it was indexed is skipped, and the
 * page is filled from further index rows. The cursor is the last id examined, as in the plain list.
 */
export async function listEntriesByTag(
  deps: ListEntriesByTagDeps,
  ownerId: string,
  tag: string,
  limit: number,
  afterId?: string,
): Promise<TaggedEntryPage> {
  const key = tagKey(tag);
  const items: EntryView[] = [];
  let after = afterId;
  do {
    const page = await deps.taggedEntries.entriesTagged(ownerId, key, limit - items.length, after);
    const entries = await Promise.all(page.ids.map((id) => deps.entries.get(ownerId, id)));
    for (const entry of entries) {
      if (entry?.tags.some((carried) => tagKey(carried.value) === key)) items.push(toEntryView(entry));
    }
    after = page.lastId;
  } while (after !== undefined && items.length < limit);
  return { items, lastId: after };
}
