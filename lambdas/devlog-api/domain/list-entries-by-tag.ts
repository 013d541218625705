import { toEntryView, type EntryView } from './entry.js';
import type { EntryStore } from './ports.js';
import { tagKey } from './tech-stack.js';
import type { TaggedEntries } from './tech-stack-ports.js';

/** The most tag-index rows one request examines (each costs an entry read): 1,000 stale rows must not hold it. */
export const TAG_INDEX_ROWS_PER_REQUEST = 200;

/** The most rows one index read asks for: the entry reads of a batch run at once, as many as a full page's. */
const LARGEST_INDEX_BATCH = 100;

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
 * page is filled from further index rows, read in growing batches. At most
 * TAG_INDEX_ROWS_PER_REQUEST rows are examined: a page may then hold fewer entries than `limit`
 * (even none) with a cursor to go on from. The cursor is the last id examined, as in the plain list.
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
  let examined = 0;
  do {
    // The rows still wanted, or as many as were examined so far when more were stale.
    const batch = Math.min(Math.max(limit - items.length, examined), LARGEST_INDEX_BATCH, TAG_INDEX_ROWS_PER_REQUEST - examined);
    const page = await deps.taggedEntries.entriesTagged(ownerId, key, batch, after);
    const entries = await Promise.all(page.ids.map((id) => deps.entries.get(ownerId, id)));
    after = page.lastId;
    for (const [index, entry] of entries.entries()) {
      examined++;
      if (entry?.tags.some((carried) => tagKey(carried.value) === key)) items.push(toEntryView(entry));
      if (items.length === limit && index < entries.length - 1) {
        after = page.ids[index];
        break;
      }
    }
  } while (after !== undefined && items.length < limit && examined < TAG_INDEX_ROWS_PER_REQUEST);
  return { items, lastId: after };
}
