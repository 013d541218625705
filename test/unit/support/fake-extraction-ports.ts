import { vi } from 'vitest';
import type { FailureCode } from '../../../lambdas/contract/index.js';
import type {
  EntrySnapshot,
  EntryTagStore,
  ExtractionResult,
  JobTarget,
  RawExtraction,
  TagExtractor,
} from '../../../lambdas/tag-extraction/domain/ports.js';

/** What the fake store holds per entry: the snapshot plus what the extraction wrote. */
export interface StoredEntry extends EntrySnapshot {
  tags?: string[];
  model?: string;
  error?: string;
  updatedAt?: string;
  /** When the reconciler counts the entry's job as sent. */
  enqueuedAt?: string;
}

/** Entries in memory with the conditional-write semantics of the DynamoDB adapter. */
export class InMemoryEntryTagStore implements EntryTagStore {
  readonly entries = new Map<string, StoredEntry>();

  put(ownerId: string, entryId: string, entry: StoredEntry): void {
    this.entries.set(`${ownerId}/${entryId}`, entry);
  }

  stored(ownerId: string, entryId: string): StoredEntry | undefined {
    return this.entries.get(`${ownerId}/${entryId}`);
  }

  async get(ownerId: string, entryId: string): Promise<EntrySnapshot | undefined> {
    const entry = this.stored(ownerId, entryId);
    return entry && { entry: entry.entry, status: entry.status, promptVersion: entry.promptVersion, revision: entry.revision };
  }

  /** Deletes the entry, as DELETE /logs/{id} does. */
  delete(ownerId: string, entryId: string): void {
    this.entries.delete(`${ownerId}/${entryId}`);
  }

  async saveTags({ ownerId, entryId, revision }: JobTarget, result: ExtractionResult, at: Date): Promise<boolean> {
    const entry = this.stored(ownerId, entryId);
    const writable =
      entry !== undefined &&
      (entry.revision ?? 1) === revision &&
      (entry.status === 'pending' ||
        (entry.status === 'done' && (entry.promptVersion === undefined || entry.promptVersion < result.promptVersion)));
    if (!writable) return false;
    this.put(ownerId, entryId, { ...entry, status: 'done', ...result, error: undefined, updatedAt: at.toISOString() });
    return true;
  }

  async markFailed({ ownerId, entryId, revision }: JobTarget, reason: FailureCode, at: Date): Promise<boolean> {
    const entry = this.stored(ownerId, entryId);
    if (entry?.status !== 'pending' || (entry.revision ?? 1) !== revision) return false;
    this.put(ownerId, entryId, { ...entry, status: 'failed', error: reason, updatedAt: at.toISOString() });
    return true;
  }

  async postponeReconcile({ ownerId, entryId, revision }: JobTarget, dueAt: Date): Promise<void> {
    const entry = this.stored(ownerId, entryId);
    if (entry?.status !== 'pending' || (entry.revision ?? 1) !== revision) return;
    if (entry.enqueuedAt !== undefined && entry.enqueuedAt >= dueAt.toISOString()) return;
    this.put(ownerId, entryId, { ...entry, enqueuedAt: dueAt.toISOString() });
  }
}

/** An extractor that answers with fixed tags, or fails as told. */
export function fakeExtractor(answer: RawExtraction | Error = { tags: [], model: 'fake-model' }) {
  const extract = vi.fn<TagExtractor['extract']>(async () => {
    if (answer instanceof Error) throw answer;
    return answer;
  });
  return { extract } satisfies TagExtractor;
}

/** A fixed point in time for the extraction's writes. */
export const EXTRACTION_TIME = new Date('2026-11-23T10:00:07.000Z');
