import { vi } from 'vitest';
import type { ApiDeps } from '../../../lambdas/devlog-api/api/http/router.js';
import { InMemoryTagAggregates } from './fake-tech-stack-ports.js';
import {
  DailyEntryQuota,
  DEFAULT_DAILY_ENTRY_QUOTA,
  type QuotaCounter,
  type QuotaWindow,
} from '../../../lambdas/devlog-api/domain/daily-quota.js';
import type { Entry } from '../../../lambdas/devlog-api/domain/entry.js';
import type { WaitLease, WaitSlots } from '../../../lambdas/devlog-api/domain/wait-for-entry.js';
import type {
  DeletedEntry,
  EntryPage,
  EntryStore,
  IdempotencyClaim,
  IdempotencyStore,
  JobQueue,
  StoredResponse,
  TextEdit,
  TextEditOutcome,
} from '../../../lambdas/devlog-api/domain/ports.js';

/** Entries in memory, scoped by owner and sorted by id like the DynamoDB adapter. */
/** A new entry as createEntry stores it: user-a's "Used Django", pending, at 2026-11-23T10:00Z. */
export function pendingEntry(overrides: Partial<Entry> & Pick<Entry, 'id'>): Entry {
  return {
    ownerId: 'user-a',
    entry: 'Used Django',
    status: 'pending',
    tags: [],
    revision: 1,
    createdAt: '2026-11-23T10:00:00.000Z',
    updatedAt: '2026-11-23T10:00:00.000Z',
    ...overrides,
  };
}

export class InMemoryEntryStore implements EntryStore {
  readonly entries = new Map<string, Entry>();
  /** The Idempotency-Key each entry was created with. */
  readonly keys = new Map<string, string>();

  async create(entry: Entry, idempotencyKey?: string): Promise<'created' | 'exists'> {
    const key = `${entry.ownerId}/${entry.id}`;
    if (this.entries.has(key)) return 'exists';
    this.entries.set(key, structuredClone(entry));
    if (idempotencyKey !== undefined) this.keys.set(key, idempotencyKey);
    return 'created';
  }

  async delete(ownerId: string, id: string, expectedRevision?: number): Promise<DeletedEntry | undefined> {
    const key = `${ownerId}/${id}`;
    if (expectedRevision !== undefined && this.entries.get(key)?.revision !== expectedRevision) return undefined;
    if (!this.entries.delete(key)) return undefined;
    const idempotencyKey = this.keys.get(key);
    this.keys.delete(key);
    return idempotencyKey === undefined ? {} : { idempotencyKey };
  }

  async get(ownerId: string, id: string): Promise<Entry | undefined> {
    const entry = this.entries.get(`${ownerId}/${id}`);
    return entry && structuredClone(entry);
  }

  async list(ownerId: string, limit: number, afterId?: string): Promise<EntryPage> {
    const newestFirst = [...this.entries.values()]
      .filter((entry) => entry.ownerId === ownerId && (afterId === undefined || entry.id < afterId))
      .sort((a, b) => (a.id < b.id ? 1 : -1));
    const items = newestFirst.slice(0, limit).map((entry) => structuredClone(entry));
    return { items, lastId: newestFirst.length > limit ? items.at(-1)?.id : undefined };
  }

  async replaceText(edit: TextEdit): Promise<TextEditOutcome> {
    const key = `${edit.ownerId}/${edit.id}`;
    const stored = this.entries.get(key);
    if (!stored) return { kind: 'missing' };
    if (stored.revision !== edit.expectedRevision) return { kind: 'revision-changed' };
    const { error: _error, model: _model, promptVersion: _promptVersion, extractorVersion: _extractorVersion, ...kept } = stored;
    const entry: Entry = {
      ...kept,
      entry: edit.entry,
      revision: edit.expectedRevision + 1,
      status: 'pending',
      tags: [],
      updatedAt: edit.at.toISOString(),
    };
    this.entries.set(key, entry);
    return { kind: 'replaced', entry: structuredClone(entry) };
  }
}

/** A queue that records what it was sent. */
export class RecordingJobQueue implements JobQueue {
  readonly sent: Entry[] = [];

  async enqueue(entry: Entry): Promise<void> {
    this.sent.push(structuredClone(entry));
  }
}

interface KeyRecord {
  requestHash: string;
  entryId: string;
  abandoned?: boolean;
  quotaCounted?: boolean;
  state: 'in-progress' | 'completed';
  response?: StoredResponse;
}

/** Idempotency keys in memory with the semantics of the DynamoDB adapter (no expiry). */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  readonly keys = new Map<string, KeyRecord>();

  async claim(ownerId: string, key: string, requestHash: string, entryId: string): Promise<IdempotencyClaim> {
    const existing = this.keys.get(`${ownerId}/${key}`);
    if (!existing) {
      this.keys.set(`${ownerId}/${key}`, { requestHash, entryId, state: 'in-progress' });
      return { outcome: 'claimed' };
    }
    if (existing.state === 'completed') {
      return { outcome: 'completed', requestHash: existing.requestHash, response: structuredClone(existing.response!) };
    }
    if (existing.abandoned) {
      return {
        outcome: 'abandoned',
        requestHash: existing.requestHash,
        entryId: existing.entryId,
        quotaCounted: existing.quotaCounted === true,
      };
    }
    return { outcome: 'in-progress', requestHash: existing.requestHash };
  }

  /** Lets the in-flight window of a claim pass, as if its request had crashed. */
  abandon(ownerId: string, key: string): void {
    const record = this.keys.get(`${ownerId}/${key}`)!;
    this.keys.set(`${ownerId}/${key}`, { ...record, abandoned: true });
  }

  async complete(ownerId: string, key: string, entryId: string, response: StoredResponse): Promise<void> {
    const record = this.keys.get(`${ownerId}/${key}`);
    if (record?.entryId !== entryId) return;
    this.keys.set(`${ownerId}/${key}`, { ...record, state: 'completed', response: structuredClone(response) });
  }

  async release(ownerId: string, key: string): Promise<void> {
    if (this.keys.get(`${ownerId}/${key}`)?.state === 'in-progress') this.keys.delete(`${ownerId}/${key}`);
  }

  async suspend(ownerId: string, key: string): Promise<void> {
    const record = this.keys.get(`${ownerId}/${key}`);
    if (record?.state === 'in-progress') this.keys.set(`${ownerId}/${key}`, { ...record, abandoned: true, quotaCounted: true });
  }

  async forget(ownerId: string, key: string, entryId: string): Promise<void> {
    if (this.keys.get(`${ownerId}/${key}`)?.entryId === entryId) this.keys.delete(`${ownerId}/${key}`);
  }
}

/** Quota counters in memory, with the check-and-add of the DynamoDB adapter. */
export class InMemoryQuotaCounter implements QuotaCounter {
  readonly counts = new Map<string, number>();

  async increment(ownerId: string, window: QuotaWindow, limit: number): Promise<number | undefined> {
    const key = `${ownerId}/${window.id}`;
    const count = this.counts.get(key) ?? 0;
    if (count >= limit) return undefined;
    this.counts.set(key, count + 1);
    return count + 1;
  }

  async read(ownerId: string, window: QuotaWindow): Promise<number> {
    return this.counts.get(`${ownerId}/${window.id}`) ?? 0;
  }

  async decrement(ownerId: string, windowId: string): Promise<void> {
    const key = `${ownerId}/${windowId}`;
    const count = this.counts.get(key) ?? 0;
    if (count > 0) this.counts.set(key, count - 1);
  }
}

/** Wait slots in memory: at most `max` held per user at once (unbounded by default), freed on release. */
export class InMemoryWaitSlots implements WaitSlots {
  readonly held = new Map<string, number>();

  constructor(private readonly max = Number.POSITIVE_INFINITY) {}

  async acquire(ownerId: string): Promise<WaitLease | undefined> {
    const count = this.held.get(ownerId) ?? 0;
    if (count >= this.max) return undefined;
    this.held.set(ownerId, count + 1);
    return { release: async () => void this.held.set(ownerId, (this.held.get(ownerId) ?? 1) - 1) };
  }
}

/** ULIDs that sort in the order they are made: a fixed prefix and a counter. */
export function sequentialIds(): () => string {
  let next = 0;
  return () => `01JDQ8Z6X4M1V9T3K7N2P5${String(next++).padStart(4, '0')}`;
}

/** The API's ports, all in memory, with a fixed clock and a spying logger; `dailyEntryQuota` defaults to the API's, open waits are unbounded unless `maxOpenWaits` says otherwise. */
export function fakeApiDeps(options: { dailyEntryQuota?: number; now?: () => Date; maxOpenWaits?: number } = {}) {
  const entries = new InMemoryEntryStore();
  const jobs = new RecordingJobQueue();
  const idempotency = new InMemoryIdempotencyStore();
  const logger = { error: vi.fn(), warn: vi.fn() };
  const techStack = new InMemoryTagAggregates();
  // A pause moves the fixed clock on by its length, so a waiting GET runs its whole wait at once.
  let slept = 0;
  const startedAt = options.now ?? (() => new Date('2026-11-23T10:00:00.000Z'));
  const clock = { now: () => new Date(startedAt().getTime() + slept) };
  const sleep = vi.fn(async (ms: number) => {
    slept += ms;
  });
  const quotaCounter = new InMemoryQuotaCounter();
  const waitSlots = new InMemoryWaitSlots(options.maxOpenWaits);
  const deps: ApiDeps = {
    entries,
    jobs,
    idempotency,
    techStack,
    taggedEntries: techStack,
    clock,
    newId: sequentialIds(),
    logger,
    quota: new DailyEntryQuota(quotaCounter, options.dailyEntryQuota ?? DEFAULT_DAILY_ENTRY_QUOTA, clock),
    sleep,
    waitSlots,
  };
  return { deps, entries, jobs, idempotency, techStack, logger, quotaCounter, sleep, waitSlots };
}
