import { describe, expect, it } from 'vitest';
import { parseWaitPreference } from '../../../../lambdas/devlog-api/api/http/prefer.js';

describe('parseWaitPreference (RFC 7240 Prefer: wait)', () => {
  it.each([
    ['wait=5', 5],
    ['wait=0', 0],
    ['WAIT = 7', 7],
    ['wait="3"', 3],
    ['respond-async, wait=10', 10],
    ['return=minimal; foo=bar, wait=4;x=y', 4],
    ['wait=20', 20],
  ])('reads %j as %i seconds', (header, seconds) => {
    expect(parseWaitPreference(header)).toBe(seconds);
  });

  it('caps a longer wait at 20 s', () => {
    expect(parseWaitPreference('wait=3600')).toBe(20);
  });

  it('takes the first of two wait preferences, as RFC 7240 says', () => {
    expect(parseWaitPreference('wait=2, wait=9')).toBe(2);
  });

  it.each([undefined, '', 'respond-async', 'wait', 'wait=', 'wait=-1', 'wait=1.5', 'wait=abc', 'wait=99999999999', 'wait=5s'])(
    'ignores %j (absent or malformed)',
    (header) => {
      expect(parseWaitPreference(header)).toBeUndefined();
    },
  );
});
