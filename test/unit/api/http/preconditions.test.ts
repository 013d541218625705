import { describe, expect, it } from 'vitest';
import { entityTag, parseIfMatch } from '../../../../lambdas/devlog-api/api/http/preconditions.js';

describe('entityTag', () => {
  it('is the revision as a quoted strong entity-tag', () => {
    expect(entityTag(3)).toBe('"3"');
  });
});

describe('parseIfMatch', () => {
  it.each([
    ['no header', undefined, undefined],
    ['any current entry', '*', undefined],
    ['one tag', '"2"', [2]],
    ['a list', '"1", "3" ,"12"', [1, 3, 12]],
    ['weak tags, which never match under If-Match', 'W/"2", "4"', [4]],
    ['tags we never send', '"abc", "0", "-1"', []],
    ['a malformed header', 'revision 2', []],
  ])('reads %s', (_name, header, revisions) => {
    expect(parseIfMatch(header)).toEqual(revisions);
  });
});
