import type { EntryStore, IdempotencyStore, UseCaseLogger } from './ports.js';

/** Ports the delete use case needs. */
export interface DeleteEntryDeps {
  entries: EntryStore;
  idempotency: IdempotencyStore;
  logger: UseCaseLogger;
}

/**
 * Deletes the caller's entry; false when it is missing or someone else's (indistinguishable by
 * design). What derives from its tags (the tag index, the tech-stack totals) follows from the
 * stream's REMOVE record; a job still in flight finds it gone and is acknowledged. The POST's
 * Idempotency-Key is forgotten too, so a replay cannot answer with the deleted entry; should that
 * fail, the key expires within 24 hours anyway, so the deletion still stands.
 */
export async function deleteEntry(deps: DeleteEntryDeps, ownerId: string, id: string): Promise<boolean> {
  const deleted = await deps.entries.delete(ownerId, id);
  if (!deleted) return false;
  if (deleted.idempotencyKey !== undefined) {
    try {
      await deps.idempotency.forget(ownerId, deleted.idempotencyKey, id);
    } catch (error) {
      deps.logger.warn('could not forget the Idempotency-Key of a deleted entry; it expires on its own', { entryId: id, error });
    }
  }
  return true;
}
