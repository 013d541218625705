import { quotaState, refundQuietly, type EntryQuota, type QuotaState } from './daily-quota.js';
import { toEntryView, type EntryView } from './entry.js';
import type { Clock, EntryStore, JobQueue, TextEditOutcome, UseCaseLogger } from './ports.js';

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
  /** Only edit the entry while it is at one of these revisions (If-Match); any revision when absent. */
  ifRevisionIn?: readonly number[];
}

/** The outcome of an edit. */
export type EditEntryResult =
  | { kind: 'accepted'; entry: EntryView; quota: QuotaState }
  /** The text is the entry's current text: nothing changed, nothing was spent. */
  | { kind: 'unchanged'; entry: EntryView }
  /** The caller's daily quota is used up; nothing changed. */
  | { kind: 'over-quota'; quota: QuotaState }
  /** Missing, deleted meanwhile, or someone else's: indistinguishable by design. */
  | { kind: 'not-found' }
  /** Another edit of the same entry landed between this one's read and its write. */
  | { kind: 'conflict' }
  /** The entry is not (any more) at a revision the command allows; nothing changed. */
  | { kind: 'precondition-failed' };

/**
 * Replaces an entry's text and has it tagged again: the next revision, `pending`, no tags, and
 * a job for that revision, so an extraction of the old text that finishes late is refused by the
 * consumer's conditional write. The write is conditional on the revision read: of two edits
 * racing from the same revision one lands and the other is told (409, or 412 under If-Match),
 * never silently overwritten. The quota is spent only on an edit that is stored: an entry taken
 * before the write is given back when the write surely did not store it. The same text again
 * changes nothing (a retried PATCH costs no model call). A failed enqueue leaves the entry
 * pending for the reconciler, as in POST.
 */
export async function editEntry(deps: EditEntryDeps, command: EditEntryCommand): Promise<EditEntryResult> {
  const { ownerId, id, ifRevisionIn } = command;
  const current = await deps.entries.get(ownerId, id);
  if (!current) return { kind: 'not-found' };
  // Before the precondition: a retried edit that already landed is answered, not refused (RFC 9110, 13.1.1).
  if (current.entry === command.entry) return { kind: 'unchanged', entry: toEntryView(current) };
  if (ifRevisionIn && !ifRevisionIn.includes(current.revision)) return { kind: 'precondition-failed' };
  const decision = await deps.quota.consume(ownerId);
  if (!decision.allowed) return { kind: 'over-quota', quota: quotaState(decision) };
  const expectedRevision = current.revision;
  let outcome: TextEditOutcome;
  try {
    outcome = await deps.entries.replaceText({ ownerId, id, entry: command.entry, expectedRevision, at: deps.clock.now() });
  } catch (error) {
    // A consistent read tells whether the write took effect; when that fails too, it stays counted.
    const read = await deps.entries.get(ownerId, id).then(
      (entry) => ({ entry }),
      () => undefined,
    );
    const notStored = read !== undefined && !(read.entry?.revision === expectedRevision + 1 && read.entry.entry === command.entry);
    if (notStored) await refundQuietly(deps.quota, deps.logger, ownerId, decision);
    throw error;
  }
  if (outcome.kind !== 'replaced') {
    await refundQuietly(deps.quota, deps.logger, ownerId, decision);
    if (outcome.kind === 'missing') return { kind: 'not-found' };
    return ifRevisionIn ? { kind: 'precondition-failed' } : { kind: 'conflict' };
  }
  try {
    await deps.jobs.enqueue(outcome.entry);
  } catch (error) {
    deps.logger.error('enqueue failed; edited entry stays pending for the reconciler', {
      entryId: id,
      revision: outcome.entry.revision,
      error,
    });
  }
  return { kind: 'accepted', entry: toEntryView(outcome.entry), quota: quotaState(decision) };
}
