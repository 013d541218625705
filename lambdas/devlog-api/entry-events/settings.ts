import { ENTRY_SORT_PREFIX } from '../../contract/index.js';

/**
 * The event source mapping of the entry events publisher, read by the API stack and by the
 * local stream stand-in (local/emulators/dynamodb-stream.ts) so both deliver the same way.
 */
export const ENTRY_EVENTS_SETTINGS = {
  /** Records per invocation; their events go out in PutEvents calls of 10. */
  batchSize: 100,
  /** Retries of a failing batch before its records go to the publisher's DLQ (as metadata). */
  retryAttempts: 10,
  functionTimeoutSeconds: 30,
} as const;

/** The stream record fields the filter reads. */
interface FilteredRecord {
  eventName?: string;
  dynamodb?: { Keys?: Record<string, { S?: string }>; NewImage?: Record<string, { S?: string }> };
}

/**
 * The event source mapping's filter (Lambda ORs the patterns): removed entries, and entries
 * whose new image is `done` or `failed`. Every other write (creation, pending, re-sends) never
 * invokes the publisher.
 */
export const ENTRY_EVENTS_FILTER_PATTERNS = [
  { eventName: ['REMOVE'], dynamodb: { Keys: { sk: { S: [{ prefix: ENTRY_SORT_PREFIX }] } } } },
  { dynamodb: { Keys: { sk: { S: [{ prefix: ENTRY_SORT_PREFIX }] } }, NewImage: { status: { S: ['done', 'failed'] } } } },
] as const;

/**
 * ENTRY_EVENTS_FILTER_PATTERNS as a predicate, for the local stream stand-in. Hand-written:
 * no maintained package evaluates Lambda's filter grammar, and these two patterns are all it needs.
 */
export function matchesEntryEventsFilter(record: FilteredRecord): boolean {
  const sortKey = record.dynamodb?.Keys?.sk?.S;
  if (!sortKey?.startsWith(ENTRY_SORT_PREFIX)) return false;
  if (record.eventName === 'REMOVE') return true;
  const status = record.dynamodb?.NewImage?.status?.S;
  return status === 'done' || status === 'failed';
}
