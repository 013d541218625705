import { ownerPartition } from '../../../contract/index.js';
import { ownerAggregatePartition, tagIndexPartition } from '../../adapters/tags-table.js';
import { MAX_TAG_FILTER_CHARS } from './schemas.js';

/** DynamoDB's limit on a partition key value, in UTF-8 bytes (the emulator does not enforce it). */
export const PARTITION_KEY_MAX_BYTES = 2048;

/**
 * The most bytes one character (code point) of a tag takes in a tag-index key: lower-cased
 * (`tagKey`) it is at most 4 UTF-8 bytes, and percent-encoding (`tagIndexPartition`) triples each.
 */
export const TAG_KEY_MAX_BYTES_PER_CHAR = 12;

/** The most bytes a tag key takes in a tag-index partition: the longest tag filter (stored tags are shorter). */
const TAG_KEY_MAX_BYTES = MAX_TAG_FILTER_CHARS * TAG_KEY_MAX_BYTES_PER_CHAR;

/**
 * The largest partition key the owner id becomes part of, in UTF-8 bytes: the owner's partition
 * in the entries table and in the tags table, and the tag index's partition with the longest tag
 * key. Sort keys never carry the owner id.
 */
function largestOwnerKeyBytes(ownerId: string): number {
  return Math.max(
    Buffer.byteLength(ownerPartition(ownerId)),
    Buffer.byteLength(ownerAggregatePartition(ownerId)),
    Buffer.byteLength(tagIndexPartition(ownerId, '')) + TAG_KEY_MAX_BYTES,
  );
}

/**
 * Why the owner id (a token's `sub`) cannot key the caller's items, or undefined when it can.
 * Checked in bytes, not characters: a 256-character non-ASCII subject fits a job message but
 * overflows the tag index's 2,048-byte partition key once percent-encoded.
 */
export function ownerIdProblem(ownerId: string): string | undefined {
  // A lone surrogate cannot be percent-encoded (encodeURIComponent throws), so it keys nothing.
  if (!ownerId.isWellFormed()) return "The token's subject is not well-formed Unicode.";
  const largest = largestOwnerKeyBytes(ownerId);
  if (largest <= PARTITION_KEY_MAX_BYTES) return undefined;
  return `The token's subject is too long: the keys of its entries would take ${largest} bytes, over the ${PARTITION_KEY_MAX_BYTES} bytes a key may hold.`;
}
