import type { EntryStatus } from '../../contract/index.js';

/** A tag the extraction attached to an entry. */
export interface Tag {
  type: 'tech-stack';
  value: string;
}

/** A dev-log entry as the API stores and returns it. */
export interface Entry {
  id: string;
  ownerId: string;
  entry: string;
  status: EntryStatus;
  tags: Tag[];
  /** 1 when created; every edit adds one, and the extraction writes tags only for the revision it read. */
  revision: number;
  createdAt: string;
  updatedAt: string;
  model?: string;
  promptVersion?: number;
  /** The extraction service's version that wrote the tags. */
  extractorVersion?: string;
  error?: string;
}

/** The entry as clients see it (the owner is implied by the token). */
export type EntryView = Omit<Entry, 'ownerId'>;

/** Drops what clients must not see. */
export function toEntryView({ ownerId: _ownerId, ...view }: Entry): EntryView {
  return view;
}
