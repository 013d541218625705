import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../../lambdas/devlog-api/api/http/cursor.js';
import { ProblemError } from '../../../../lambdas/devlog-api/api/http/problem.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ulid = fc.string({ unit: fc.constantFrom(...CROCKFORD), minLength: 26, maxLength: 26 });

function base64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function decodeProblem(cursor: string): ProblemError {
  try {
    decodeCursor(cursor);
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemError);
    return error as ProblemError;
  }
  throw new Error(`cursor ${cursor} was accepted`);
}

describe('cursor', () => {
  it('round-trips any entry id', () => {
    fc.assert(
      fc.property(ulid, (id) => {
        // Act
        const cursor = encodeCursor(id);

        // Assert
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeCursor(cursor)).toBe(id);
      }),
    );
  });

  it('is opaque: the id is not readable in the cursor as it travels', () => {
    // Act
    const cursor = encodeCursor('01JDQ8Z6X4M1V9T3K7N2P5R8WA');

    // Assert
    expect(cursor).not.toContain('01JDQ8Z6X4M1V9T3K7N2P5R8WA');
  });

  it.each([
    ['an unknown version', base64url({ v: 2, after: '01JDQ8Z6X4M1V9T3K7N2P5R8WA' })],
    ['no version', base64url({ after: '01JDQ8Z6X4M1V9T3K7N2P5R8WA' })],
    ['a forged key', base64url({ v: 1, after: 'IDEMPOTENCY#my-key' })],
    ["another owner's partition", base64url({ v: 1, after: { pk: 'OWNER#user-b', sk: 'ENTRY#x' } })],
    ['a numeric position', base64url({ v: 1, after: 42 })],
    ['JSON null', base64url('null')],
    ['a JSON string', base64url('"01JDQ8Z6X4M1V9T3K7N2P5R8WA"')],
    ['a JSON array', base64url([1, '01JDQ8Z6X4M1V9T3K7N2P5R8WA'])],
    ['base64 that is not JSON', base64url('not json at all')],
    ['characters outside base64url', 'eyJ2IjoxfQ=='],
    ['standard base64 with +/', 'ab+/cd'],
    ['a huge cursor', 'A'.repeat(201)],
    ['an empty string', ''],
  ])('answers 400 to %s', (_name, cursor) => {
    // Act
    const problem = decodeProblem(cursor);

    // Assert
    expect(problem.status).toBe(400);
    expect(problem.detail).toBe('The cursor is not one this API issued; start again without it.');
  });

  it('answers any garbage with 400, never another error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: fc.constantFrom(...'ABCabc019_-') }),
          fc.jsonValue().map((value) => base64url(value)),
          fc.record({ v: fc.jsonValue(), after: fc.jsonValue() }).map((value) => base64url(value)),
        ),
        (cursor) => {
          // Act
          let result: string | undefined;
          let thrown: unknown;
          try {
            result = decodeCursor(cursor);
          } catch (error) {
            thrown = error;
          }

          // Assert: either a well-formed id came out, or a 400
          if (thrown === undefined) expect(result).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
          else expect((thrown as ProblemError).status).toBe(400);
        },
      ),
      { numRuns: 300 },
    );
  });
});
