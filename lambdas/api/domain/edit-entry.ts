import type { EntryQuota, QuotaState } from './daily-quota.js';
import { toEntryView, type EntryView } from './entry.js';
import type { Clock, EntryStore, JobQueue, UseCaseLogger } from './ports.js';

/** Ports the edit use case needs. */
export interface EditEntryDeps {
  entries: EntryStore;
  jobs: JobQueue;
  clock: Clock;
  logger: UseCaseLogger;
  /** The daily entries quota: an edit counts as an entry. */
  quota: EntryQuota;
}

/** A validated PATCH /logs/{id} request. */
export interface EditEntryCommand {
  ownerId: string;
  id: string;
  entry: string;
}

/** The outcome of an edit. */
export type EditEntryResult =
  | { kind: 'accepted'; entry: EntryView; quota: QuotaState }
  /** The caller's daily quota is used up; nothing changed. */
  | { kind: 'over-quota'; quota: QuotaState }
  /** Missing, deleted meanwhile, or someone else's: indistinguishable by design. */
  | { kind: 'not-found' }
  /** Another edit of the same entry landed between this one's read and its write. */
  | { kind: 'conflict' };

/**
 * Replaces an entry's text and has it tagged again: the next revision, `pending`, no tags, and
 * a job for that revision, so an extraction of the old text that finishes late is refused by the
 * consumer's conditional write. The write is conditional on the revision read: of two edits
 * racing from the same revision one lands and the other is told (409), never silently
 * overwritten. A failed enqueue leaves the entry pending for the reconciler, as in POST.
 */
export async function editEntry(deps: EditEntryDeps, command: EditEntryCommand): Promise<EditEntryResult> {
  const current = await deps.entries.get(command.ownerId, command.id);
  if (!current) return { kind: 'not-found' };
  const { allowed, ...quota } = await deps.quota.consume(command.ownerId);
  if (!allowed) return { kind: 'over-quota', quota };
  const outcome = await deps.entries.replaceText({
    ownerId: command.ownerId,
    id: command.id,
    entry: command.entry,
    expectedRevision: current.revision,
    at: deps.clock.now(),
  });
  if (outcome.kind === 'missing') return { kind: 'not-found' };
  if (outcome.kind === 'revision-changed') return { kind: 'conflict' };
  try {
    await deps.jobs.enqueue(outcome.entry);
  } catch (error) {
    deps.logger.error('enqueue failed; edited entry stays pending for the reconciler', {
      entryId: command.id,
      revision: outcome.entry.revision,
      error,
    });
  }
  return { kind: 'accepted', entry: toEntryView(outcome.entry), quota };
}
