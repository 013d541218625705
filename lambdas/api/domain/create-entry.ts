import { createHash } from 'node:crypto';
import type { EntryQuota, QuotaDecision, QuotaState } from './daily-quota.js';
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
export async function createEntry(
  deps: CreateEntryDeps,
  command: CreateEntryCommand,
): Promise<CreateEntryResult> {
  const { idempotencyKey, ownerId } = command;
  if (idempotencyKey === undefined) {
    const quota = await deps.quota.consume(ownerId);
    if (!quota.allowed) return { kind: 'over-quota', quota: stateOf(quota) };
    return { kind: 'accepted', response: await acceptEntry(deps, command), replayed: false, quota: stateOf(quota) };
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
      // Its first attempt counted the entry already.
      return resumeAbandonedRequest(deps, command, idempotencyKey, claim.entryId);
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
    return { kind: 'over-quota', quota: stateOf(quota) };
  }

  let response: StoredResponse;
  try {
    response = await acceptEntry(deps, command, entryId);
  } catch (error) {
    await giveUpClaim(deps, ownerId, idempotencyKey, error);
    throw error;
  }
  await deps.idempotency.complete(ownerId, idempotencyKey, response);
  return { kind: 'accepted', response, replayed: false, quota: stateOf(quota) };
}

function stateOf({ allowed: _allowed, ...state }: QuotaDecision): QuotaState {
  return state;
}

/**
 * After a failed attempt, frees the key only when the entry surely was not stored. Otherwise the
 * write may have committed (or may still commit: a timed-out request can land later), so the
 * claim keeps its entry id and the client's retry resumes with it at once: every attempt then
 * writes the same id, and at most one entry can ever exist.
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
 * retries all get the one entry.
 */
async function resumeAbandonedRequest(
  deps: CreateEntryDeps,
  command: CreateEntryCommand,
  idempotencyKey: string,
  entryId: string,
): Promise<CreateEntryResult> {
  const stored = await deps.entries.get(command.ownerId, entryId);
  const response = stored ? acceptedResponse(stored) : await acceptEntry(deps, command, entryId);
  await deps.idempotency.complete(command.ownerId, idempotencyKey, response);
  return { kind: 'accepted', response, replayed: stored !== undefined, quota: await deps.quota.peek(command.ownerId) };
}

async function acceptEntry(deps: CreateEntryDeps, command: CreateEntryCommand, id = deps.newId()): Promise<StoredResponse> {
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
  return acceptedResponse(stored);
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
