import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entryKey, OWNER_ID_MAX_LENGTH } from '../../../../lambdas/contract/index.js';
import { appliedKey, tagIndexKey, totalKey } from '../../../../lambdas/devlog-api/adapters/tags-table.js';
import { tagKey } from '../../../../lambdas/devlog-api/domain/tech-stack.js';
import { ownerIdProblem, PARTITION_KEY_MAX_BYTES, TAG_KEY_MAX_BYTES_PER_CHAR } from '../../../../lambdas/devlog-api/api/http/owner-keys.js';
import { MAX_TAG_FILTER_CHARS } from '../../../../lambdas/devlog-api/api/http/schemas.js';

const ENTRY_ID = '01JDQ8Z6X4M1V9T3K7N2P5R8WA';
const bytes = (value: string) => Buffer.byteLength(value, 'utf8');

/** Every key an owner's items and queries use, with the given tag (filter or stored tag). */
function keysOf(ownerId: string, tag: string): string[] {
  const key = tagKey(tag);
  return [entryKey(ownerId, ENTRY_ID), tagIndexKey(ownerId, key, ENTRY_ID), totalKey(ownerId, key), appliedKey(ownerId, ENTRY_ID)].map(
    (item) => item.pk,
  );
}

describe('ownerIdProblem', () => {
  it('refuses a 256-character non-ASCII subject, whose tag-index partition key would pass 2,048 bytes', () => {
    // Arrange: 'ü' is 2 bytes, 6 once percent-encoded in the tag index's partition
    const sub = 'ü'.repeat(OWNER_ID_MAX_LENGTH);
    const longestTag = 'ü'.repeat(MAX_TAG_FILTER_CHARS);

    // Act
    const problem = ownerIdProblem(sub);

    // Assert
    expect(Math.max(...keysOf(sub, longestTag).map(bytes))).toBeGreaterThan(PARTITION_KEY_MAX_BYTES);
    expect(problem).toMatch(/bytes/);
  });

  it('accepts a 256-character ASCII subject and a UUID', () => {
    expect(ownerIdProblem('u'.repeat(OWNER_ID_MAX_LENGTH))).toBeUndefined();
    expect(ownerIdProblem('0b6c3f1e-8f4a-4c55-9d1e-2a3b4c5d6e7f')).toBeUndefined();
  });

  it('refuses a subject that is not well-formed Unicode (it cannot be percent-encoded into a key)', () => {
    expect(ownerIdProblem('user-\uD800')).toMatch(/Unicode/);
  });

  it("keeps every key of an accepted owner within DynamoDB's limit, whatever tag it is built with", () => {
    const unicodeString = (maxLength: number) => fc.string({ unit: 'binary', maxLength }).filter((value) => value.isWellFormed());
    fc.assert(
      fc.property(unicodeString(OWNER_ID_MAX_LENGTH), unicodeString(MAX_TAG_FILTER_CHARS), (ownerId, tag) => {
        fc.pre(ownerId.length > 0 && ownerIdProblem(ownerId) === undefined);
        for (const key of keysOf(ownerId, tag)) expect(bytes(key)).toBeLessThanOrEqual(PARTITION_KEY_MAX_BYTES);
      }),
      { numRuns: 500 },
    );
  });

  it('bounds a tag key per character of the tag, lower-cased and percent-encoded, for every code point', () => {
    // Every 16th code point beyond the BMP: they all take 4 bytes, and lower-casing keeps them there.
    let largest = 0;
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint += codePoint > 0xffff ? 16 : 1) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
      largest = Math.max(largest, bytes(encodeURIComponent(tagKey(String.fromCodePoint(codePoint)))));
    }
    expect(largest).toBeLessThanOrEqual(TAG_KEY_MAX_BYTES_PER_CHAR);
  });
});
