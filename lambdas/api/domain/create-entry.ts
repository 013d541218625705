import { createHash } from 'node:crypto';
import { toEntryView, type Entry } from './entry.js';
import type {
  Clock,
  EntryStore,
  IdGenerator,
  IdempotencyStore,
  JobQueue,
  StoredResponse,
  UseCaseLogger,
} from './ports.js';

/** Ports the create use case needs. */
export interface CreateEntryDeps {
  entries: EntryStore;
  jobs: JobQueue;
  idempotency: IdempotencyStore;
  clock: Clock;
  newId: IdGenerator;
  logger: UseCaseLogger;
}

/** A validated POST /logs request. */
export interface CreateEntryCommand {
  ownerId: string;
  entry: string;
  idempotencyKey?: string;
}

/** The outcome of a POST: an answer to send, or an Idempotency-Key conflict. */
export type CreateEntryResult =
  | { kind: 'accepted'; response: StoredResponse; replayed: boolean }
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
    return { kind: 'accepted', response: await acceptEntry(deps, command), replayed: false };
  }

  const requestHash = hashRequest(command.entry);
  const entryId = deps.newId();
  const claim = await deps.idempotency.claim(ownerId, idempotencyKey, requestHash, entryId);
  if (claim.outcome !== 'claimed' && claim.requestHash !== requestHash) return { kind: 'key-reused-with-other-body' };
  switch (claim.outcome) {
    case 'in-progress':
      return { kind: 'key-in-flight' };
    case 'completed':
      return { kind: 'accepted', response: claim.response, replayed: true };
    case 'abandoned':
      return resumeAbandonedRequest(deps, command, idempotencyKey, claim.entryId);
    case 'claimed':
      break;
  }

  let response: StoredResponse;
  try {
    response = await acceptEntry(deps, command, entryId);
  } catch (error) {
    await deps.idempotency.release(ownerId, idempotencyKey);
    throw error;
  }
  await deps.idempotency.complete(ownerId, idempotencyKey, response);
  return { kind: 'accepted', response, replayed: false };
}

/**
 * Finishes a request that claimed the key and then failed or crashed, with the entry id it
 * claimed: if that entry was stored, its answer is given again; if not, it is created now. So a
 * retry never creates a second entry, whatever step the first attempt died in.
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
  return { kind: 'accepted', response, replayed: stored !== undefined };
}

async function acceptEntry(deps: CreateEntryDeps, command: CreateEntryCommand, id = deps.newId()): Promise<StoredResponse> {
  const now = deps.clock.now().toISOString();
  const entry: Entry = {
    id,
    ownerId: command.ownerId,
    entry: command.entry,
    status: 'pending',
    tags: [],
    createdAt: now,
    updatedAt: now,
  };
  await deps.entries.create(entry);
  try {
    await deps.jobs.enqueue(entry);
  } catch (error) {
    deps.logger.error('enqueue failed; entry stays pending for the reconciler', {
      entryId: entry.id,
      error,
    });
  }
  return acceptedResponse(entry);
}

function acceptedResponse(entry: Entry): StoredResponse {
  return { statusCode: 202, body: toEntryView(entry), location: `/logs/${entry.id}` };
}

function hashRequest(entry: string): string {
  return createHash('sha256').update(entry).digest('base64url');
}
