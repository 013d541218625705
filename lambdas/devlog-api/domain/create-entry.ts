import { createHash } from 'node:crypto';
import { quotaState, refundQuietly, type EntryQuota, type QuotaDecision, type QuotaState } from './daily-quota.js';
import { toEntryView, type Entry } from './entry.js';
import {
  EntryNotStoredError,
  type Clock,
  type EntryStore,
  type IdGenerator,
  type IdempotencyStore,
  type JobQueue,
  type StoredResponse,
  type UseCaseLogger,
} from './ports.js';

/** Ports the create use case needs. */
export interface CreateEntryDeps {
  entries: EntryStore;
  jobs: JobQueue;
  idempotency: IdempotencyStore;
  clock: Clock;
  newId: IdGenerator;
  logger: UseCaseLogger;
  /** The daily entries quota: every new entry takes one, a replay none. */
  quota: EntryQuota;
}

/** A validated POST /logs request. */
export interface CreateEntryCommand {
  ownerId: string;
  entry: string;
  idempotencyKey?: string;
}

/** The outcome of a POST: an answer to send (with where the caller stands in the quota), a refusal over the quota, or an Idempotency-Key conflict. */
export type CreateEntryResult =
  | { kind: 'accepted'; response: StoredResponse; replayed: boolean; quota: QuotaState }
  | { kind: 'over-quota'; quota: QuotaState }
  | { kind: 'key-in-flight' }
  | { kind: 'key-reused-with-other-body' };

/**
 * Accepts an entry: stores it as `pending`, then enqueues its extraction. A failed enqueue
 * leaves the entry pending for the reconciler and still answers 202, because the entry is
 * saved and will be tagged; failing the request would invite a duplicate POST.
 */
export async function createEntry(deps: CreateEntryDeps, command: CreateEntryCommand): Promise<CreateEntryResult> {
  const { idempotencyKey, ownerId } = command;
  if (idempotencyKey === undefined) {
    const quota = await deps.quota.consume(ownerId);
    if (!quota.allowed) return { kind: 'over-quota', quota: quotaState(quota) };
    try {
      const { response } = await acceptEntry(deps, command);
      return { kind: 'accepted', response, replayed: false, quota: quotaState(quota) };
    } catch (error) {
      await refundUnstored(deps, ownerId, quota, error);
      throw error;
    }
  }

  const requestHash = hashRequest(command.entry);
  const entryId = deps.newId();
  const claim = await deps.idempotency.claim(ownerId, idempotencyKey, requestHash, entryId);
  if (claim.outcome !== 'claimed' && claim.requestHash !== requestHash) return { kind: 'key-reused-with-other-body' };
  switch (claim.outcome) {
    case 'in-progress':
      return { kind: 'key-in-flight' };
    case 'completed':
      return { kind: 'accepted', response: claim.response, replayed: true, quota: await deps.quota.peek(ownerId) };
    case 'abandoned':
      return resumeAbandonedRequest(deps, command, idempotencyKey, claim);
    case 'claimed':
      break;
  }

  // Nothing is stored yet: whatever happens to the quota, a failure here frees the key.
  const nothingStored = new EntryNotStoredError('no entry was stored before the quota decision');
  let quota: QuotaDecision;
  try {
    quota = await deps.quota.consume(ownerId);
  } catch (error) {
    await giveUpClaim(deps, ownerId, idempotencyKey, nothingStored);
    throw error;
  }
  if (!quota.allowed) {
    // Freed, so the same request succeeds once the window resets.
    await giveUpClaim(deps, ownerId, idempotencyKey, nothingStored);
    return { kind: 'over-quota', quota: quotaState(quota) };
  }

  let response: StoredResponse;
  try {
    ({ response } = await acceptEntry(deps, command, entryId));
  } catch (error) {
    await refundUnstored(deps, ownerId, quota, error);
    await giveUpClaim(deps, ownerId, idempotencyKey, error);
    throw error;
  }
  await deps.idempotency.complete(ownerId, idempotencyKey, entryId, response);
  return { kind: 'accepted', response, replayed: false, quota: quotaState(quota) };
}

/** Gives the counted entry back when the write surely did not store it; any other failure may have stored it. */
async function refundUnstored(deps: CreateEntryDeps, ownerId: string, quota: QuotaDecision, failure: unknown): Promise<void> {
  if (failure instanceof EntryNotStoredError) await refundQuietly(deps.quota, deps.logger, ownerId, quota);
}

/**
 * After a failed attempt, frees the key only when the entry surely was not stored. Otherwise the
 * write may have committed (or may still commit: a timed-out request can land later), so the
 * claim keeps its entry id and the client's retry resumes with it at once: every attempt then
 * writes the same id, and at most one entry can ever exist. A suspended claim records that its
 * entry was counted, so the retry does not count it again.
 */
async function giveUpClaim(deps: CreateEntryDeps, ownerId: string, idempotencyKey: string, failure: unknown): Promise<void> {
  try {
    if (failure instanceof EntryNotStoredError) await deps.idempotency.release(ownerId, idempotencyKey);
    else await deps.idempotency.suspend(ownerId, idempotencyKey);
  } catch (error) {
    // The claim then stays in flight until its window passes, and the retry resumes it after that.
    deps.logger.warn('could not give up the Idempotency-Key claim', { error });
  }
}

/**
 * Finishes a request that claimed the key and then failed or crashed, with the entry id it
 * claimed: if that entry was stored, its answer is given again; if not, it is created now. So a
 * retry never creates a second entry, whatever step the first attempt died in, and concurrent
 * retries all get the one entry. The entry is counted exactly once: a stored entry was counted
 * by the attempt that stored it; an unstored one is counted here unless its claim says an
 * earlier attempt counted it, and given back when a concurrent retry stored it first. Over the
 * quota, the claim stays abandoned: the same request resumes it once the quota resets.
 */
async function resumeAbandonedRequest(
  deps: CreateEntryDeps,
  command: CreateEntryCommand,
  idempotencyKey: string,
  claim: { entryId: string; quotaCounted: boolean },
): Promise<CreateEntryResult> {
  const { ownerId } = command;
  const stored = await deps.entries.get(ownerId, claim.entryId);
  if (stored) {
    const response = acceptedResponse(stored);
    await deps.idempotency.complete(ownerId, idempotencyKey, claim.entryId, response);
    return { kind: 'accepted', response, replayed: true, quota: await deps.quota.peek(ownerId) };
  }
  const quota = claim.quotaCounted ? undefined : await deps.quota.consume(ownerId);
  if (quota && !quota.allowed) return { kind: 'over-quota', quota: quotaState(quota) };
  let accepted: AcceptedEntry;
  try {
    accepted = await acceptEntry(deps, command, claim.entryId);
  } catch (error) {
    if (quota && error instanceof EntryNotStoredError) await refundQuietly(deps.quota, deps.logger, ownerId, quota);
    else if (quota) await giveUpClaim(deps, ownerId, idempotencyKey, error);
    throw error;
  }
  if (quota && !accepted.createdHere) await refundQuietly(deps.quota, deps.logger, ownerId, quota);
  await deps.idempotency.complete(ownerId, idempotencyKey, claim.entryId, accepted.response);
  return {
    kind: 'accepted',
    response: accepted.response,
    replayed: false,
    quota: quota ? quotaState(quota) : await deps.quota.peek(ownerId),
  };
}

/** The answer to an accepted entry, and whether this attempt's write created it (not an earlier or concurrent one). */
interface AcceptedEntry {
  response: StoredResponse;
  createdHere: boolean;
}

async function acceptEntry(deps: CreateEntryDeps, command: CreateEntryCommand, id = deps.newId()): Promise<AcceptedEntry> {
  const now = deps.clock.now().toISOString();
  const entry: Entry = {
    id,
    ownerId: command.ownerId,
    entry: command.entry,
    status: 'pending',
    tags: [],
    revision: 1,
    createdAt: now,
    updatedAt: now,
  };
  const stored = await storeEntry(deps, entry, command.idempotencyKey);
  try {
    // Also when a twin attempt stored it: that attempt may have died before its send, and a
    // second job for the same entry is harmless (the consumer skips a done entry).
    await deps.jobs.enqueue(stored);
  } catch (error) {
    deps.logger.error('enqueue failed; entry stays pending for the reconciler', {
      entryId: entry.id,
      error,
    });
  }
  // Another attempt's write stamped its own time; an SDK retry of ours finds our own item.
  return { response: acceptedResponse(stored), createdHere: stored.createdAt === entry.createdAt };
}

/**
 * Writes the entry and returns it as stored: ours, or the one an earlier attempt of this write
 * (an SDK retry, a concurrent retry of the same claim) committed with the same id. After an
 * ambiguous failure a consistent read tells whether the write took effect after all.
 */
async function storeEntry(deps: CreateEntryDeps, entry: Entry, idempotencyKey: string | undefined): Promise<Entry> {
  let outcome: 'created' | 'exists';
  try {
    outcome = await deps.entries.create(entry, idempotencyKey);
  } catch (error) {
    if (error instanceof EntryNotStoredError) throw error;
    const committed = await deps.entries.get(entry.ownerId, entry.id).catch(() => undefined);
    if (committed) return committed;
    throw error;
  }
  if (outcome === 'created') return entry;
  const existing = await deps.entries.get(entry.ownerId, entry.id);
  if (!existing) throw new Error(`entry ${entry.id} exists but cannot be read`);
  return existing;
}

function acceptedResponse(entry: Entry): StoredResponse {
  return { statusCode: 202, body: toEntryView(entry), location: `/logs/${entry.id}` };
}

function hashRequest(entry: string): string {
  return createHash('sha256').update(entry).digest('base64url');
}
