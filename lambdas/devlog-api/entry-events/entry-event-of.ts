import { ENTRY_SORT_PREFIX, ENTRY_STATUS, type EntryEvent, ownerPartition, validEntryEvent } from '../../contract/index.js';

/** An entries-table item as a stream image shows it, unmarshalled; only what the events read. */
export type EntryImage = Record<string, unknown>;

/** One change of the entries table, as a stream record carries it. */
export interface EntryTableChange {
  keys: Record<string, unknown>;
  oldImage?: EntryImage;
  newImage?: EntryImage;
  /** When the stream recorded the change (its ApproximateCreationDateTime). */
  recordedAt: Date;
}

/**
 * The event a change of the entries table means, if any: `EntryTagged` when an entry became
 * `done` or its tags changed while done, `EntryTaggingFailed` when it became `failed`,
 * `EntryDeleted` when it was removed. A pure function of the record, so a redelivered record
 * yields the same detail and consumers can dedupe. Throws when an entry's images break the
 * contract (a record retrying cannot mend).
 */
export function entryEventOf(change: EntryTableChange): EntryEvent | undefined {
  const { pk, sk } = change.keys;
  if (typeof pk !== 'string' || typeof sk !== 'string' || !sk.startsWith(ENTRY_SORT_PREFIX)) return undefined;
  const { oldImage, newImage } = change;
  if (!newImage) {
    if (!oldImage || pk !== ownerPartition(String(oldImage.ownerId))) return undefined;
    return validEntryEvent({ detailType: 'EntryDeleted', detail: commonDetail(oldImage, change.recordedAt.toISOString()) });
  }
  const occurredAt = typeof newImage.updatedAt === 'string' ? newImage.updatedAt : change.recordedAt.toISOString();
  const was = oldImage?.status;
  if (newImage.status === ENTRY_STATUS.done && (was !== ENTRY_STATUS.done || !sameTags(oldImage?.tags, newImage.tags))) {
    return validEntryEvent({
      detailType: 'EntryTagged',
      detail: { ...commonDetail(newImage, occurredAt), text: String(newImage.entry ?? '') },
    });
  }
  if (newImage.status === ENTRY_STATUS.failed && was !== ENTRY_STATUS.failed) {
    const error = typeof newImage.error === 'string' ? newImage.error : null;
    return validEntryEvent({ detailType: 'EntryTaggingFailed', detail: { ...commonDetail(newImage, occurredAt), error } });
  }
  return undefined;
}

function commonDetail(image: EntryImage, occurredAt: string) {
  return {
    version: 1 as const,
    ownerId: String(image.ownerId),
    entryId: String(image.id),
    revision: typeof image.revision === 'number' ? image.revision : 1,
    tags: Array.isArray(image.tags) ? (image.tags as { type: 'tech-stack'; value: string }[]) : [],
    model: typeof image.model === 'string' ? image.model : null,
    promptVersion: typeof image.promptVersion === 'number' ? image.promptVersion : null,
    extractorVersion: typeof image.extractorVersion === 'string' ? image.extractorVersion : null,
    occurredAt,
  };
}

function sameTags(before: unknown, after: unknown): boolean {
  return JSON.stringify(before ?? []) === JSON.stringify(after ?? []);
}
