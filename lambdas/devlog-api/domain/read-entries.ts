import { toEntryView, type EntryView } from './entry.js';
import type { EntryStore } from './ports.js';

/** The caller's entry, or undefined when it is missing or someone else's (indistinguishable by design). */
export async function getEntry(entries: EntryStore, ownerId: string, id: string): Promise<EntryView | undefined> {
  const entry = await entries.get(ownerId, id);
  return entry && toEntryView(entry);
}

/**
 * Lists the caller's entries. The cursor is the last id of the previous page; the store
 * always scopes the query to the caller, so a cursor cannot reach another owner's entries.
 */
export async function listEntries(
  entries: EntryStore,
  ownerId: string,
  limit: number,
  afterId?: string,
): Promise<{ items: EntryView[]; lastId?: string }> {
  const page = await entries.list(ownerId, limit, afterId);
  return { items: page.items.map(toEntryView), lastId: page.lastId };
}
