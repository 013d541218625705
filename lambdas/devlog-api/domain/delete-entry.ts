import type { EntryStore, IdempotencyStore, UseCaseLogger } from './ports.js';

/** Ports the delete use case needs. */
export interface DeleteEntryDeps {
  entries: EntryStore;
  idempotency: IdempotencyStore;
  logger: UseCaseLogger;
}

/** The outcome of a delete: done, nothing of the caller's there, or the entry is not at a revision the caller allows. */
export type DeleteEntryResult = 'deleted' | 'not-found' | 'precondition-failed';

/**
 * Deletes the caller's entry; `not-found` when it is missing or someone else's (indistinguishable
 * by design). With `ifRevisionIn` (If-Match) only while it is at one of those revisions: the
 * delete is conditional on the revision read, so an edit landing in between keeps the entry.
 * What derives from its tags (the tag index, the tech-stack totals) follows from the stream's
 * REMOVE record; a job still in flight finds it gone and is acknowledged. The POST's
 * Idempotency-Key is forgotten too, so a replay cannot answer with the deleted entry; should that
 * fail, the key expires within 24 hours anyway, so the deletion still stands.
 */
export async function deleteEntry(
  deps: DeleteEntryDeps,
  ownerId: string,
  id: string,
  ifRevisionIn?: readonly number[],
): Promise<DeleteEntryResult> {
  let expectedRevision: number | undefined;
  if (ifRevisionIn) {
    const current = await deps.entries.get(ownerId, id);
    if (!current) return 'not-found';
    if (!ifRevisionIn.includes(current.revision)) return 'precondition-failed';
    expectedRevision = current.revision;
  }
  const deleted = await deps.entries.delete(ownerId, id, expectedRevision);
  if (!deleted) {
    if (expectedRevision === undefined) return 'not-found';
    return (await deps.entries.get(ownerId, id)) ? 'precondition-failed' : 'not-found';
  }
  if (deleted.idempotencyKey !== undefined) {
    try {
      await deps.idempotency.forget(ownerId, deleted.idempotencyKey, id);
    } catch (error) {
      deps.logger.warn('could not forget the Idempotency-Key of a deleted entry; it expires on its own', { entryId: id, error });
    }
  }
  return 'deleted';
}
