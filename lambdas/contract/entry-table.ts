/**
 * The layout of the entries table, which the API writes and the extraction service updates.
 * Both teams import it from here so a key change is one edit, reviewed by both.
 */
export const ENTRY_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /**
   * Sparse index of entries still `pending`, by when their job was last sent: the reconciler
   * re-sends the stale ones and moves them to the end by updating `enqueuedAt`. The extraction
   * moves it forward too when it postpones a job beyond the retry schedule the reconciler's
   * grace covers (a long `retry-after`), so the job is not re-sent before it is due.
   */
  pendingIndex: { name: 'pending-by-enqueued-at', partitionKey: 'pendingBucket', sortKey: 'enqueuedAt' },
  /** Sparse index of entries marked `failed`, oldest first, for the redrive. */
  failedIndex: { name: 'failed-by-age', partitionKey: 'failedBucket', sortKey: 'createdAt' },
  /** Items carry this attribute (epoch seconds) when DynamoDB TTL may delete them. */
  ttlAttribute: 'expiresAt',
  /** The only attributes the extraction service may change (enforced by its IAM policy). */
  extractionAttributes: [
    'status',
    'tags',
    'model',
    'promptVersion',
    'extractorVersion',
    'updatedAt',
    'error',
    'pendingBucket',
    'failedBucket',
    'enqueuedAt',
  ],
  /**
   * The only attributes the extraction service may read besides the key (enforced by its IAM
   * policy): the text, where the entry is, which prompt tagged it, and its revision.
   */
  extractionReadAttributes: ['entry', 'status', 'promptVersion', 'revision'],
  /**
   * The entry's text revision (1 when created, +1 per edit; an item without it is at 1). Only
   * the API writes it; the extraction's writes are conditional on it (atRevisionCondition), so
   * its IAM policy must let its requests name it.
   */
  revisionAttribute: 'revision',
} as const;

/**
 * A condition expression that holds while the item is at `revision` (an item without the
 * attribute is at revision 1); `placeholder` names the value, which the caller binds to `revision`.
 */
export function atRevisionCondition(revision: number, placeholder: string): string {
  const attribute = ENTRY_TABLE.revisionAttribute;
  return revision === 1 ? `(attribute_not_exists(${attribute}) OR ${attribute} = ${placeholder})` : `${attribute} = ${placeholder}`;
}

/** Where an entry is in its life: accepted and waiting for its tags, tagged, or given up on. */
export const ENTRY_STATUSES = ['pending', 'done', 'failed'] as const;

/** An entry's status, as both teams write and read it. */
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/** Each status by name, for the values of DynamoDB expressions, which no type checks. */
export const ENTRY_STATUS = { pending: 'pending', done: 'done', failed: 'failed' } as const satisfies { [S in EntryStatus]: S };

/** Value of `pendingBucket` while an entry is pending; removed when it is done or failed. */
export const PENDING_BUCKET = 'pending';
/** Value of `failedBucket` while an entry is failed; removed when a redrive resets it. */
export const FAILED_BUCKET = 'failed';

/** The key of an entry item. */
export function entryKey(ownerId: string, entryId: string): { pk: string; sk: string } {
  return { pk: ownerPartition(ownerId), sk: `ENTRY#${entryId}` };
}

/** The partition holding all items of an owner. */
export function ownerPartition(ownerId: string): string {
  return `OWNER#${ownerId}`;
}

/** Sort-key prefix of entry items (other item kinds share the owner's partition). */
export const ENTRY_SORT_PREFIX = 'ENTRY#';
