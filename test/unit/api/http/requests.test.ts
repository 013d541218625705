import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../../../lambdas/devlog-api/api/http/cursor.js';
import { ProblemError } from '../../../../lambdas/devlog-api/api/http/problem.js';
import {
  LIST_LIMIT,
  MAX_BODY_BYTES,
  MAX_ENTRY_CHARS,
  parseCreateEntryRequest,
  parseEntryId,
  parseListEntriesRequest,
  type HttpRequestParts,
} from '../../../../lambdas/devlog-api/api/http/requests.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const VALID_ID = '01JDQ8Z6X4M1V9T3K7N2P5R8WA';

function jsonRequest(body: string, headers: Record<string, string> = {}): HttpRequestParts {
  return { headers: { ...JSON_HEADERS, ...headers }, body };
}

/** Runs the validator and returns the ProblemError it throws (fails the test when it does not). */
function problemOf(run: () => unknown): ProblemError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemError);
    return error as ProblemError;
  }
  throw new Error('expected a ProblemError, but the request was accepted');
}

/** Asserts that the create request is refused with `status` and a detail that names each of `detailParts`. */
function expectRefused(request: HttpRequestParts, status: number, ...detailParts: string[]): void {
  const problem = problemOf(() => parseCreateEntryRequest(request));
  expect(problem.status).toBe(status);
  for (const part of detailParts) expect(problem.detail).toContain(part);
}

/** Every character String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator). */
const WHITESPACE_CHARS = [
  ' ',
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2001',
  '\u2002',
  '\u2003',
  '\u2004',
  '\u2005',
  '\u2006',
  '\u2007',
  '\u2008',
  '\u2009',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
];

describe('parseCreateEntryRequest', () => {
  describe('content type', () => {
    it.each([['application/json'], ['application/json; charset=utf-8'], ['Application/JSON'], ['application/json;charset=UTF-8']])(
      'accepts %s',
      (contentType) => {
        // Arrange
        const request = { headers: { 'content-type': contentType }, body: '{"entry":"Wrote Go today"}' };

        // Act
        const parsed = parseCreateEntryRequest(request);

        // Assert
        expect(parsed.entry).toBe('Wrote Go today');
      },
    );

    it.each([
      ['text/plain'],
      ['application/x-www-form-urlencoded'],
      ['application/jsonp'],
      ['application/problem+json'],
      ['multipart/form-data; boundary=x'],
    ])('answers 415 to %s and names the type it got', (contentType) => {
      // Arrange
      const request = { headers: { 'content-type': contentType }, body: '{"entry":"x"}' };

      expectRefused(request, 415, 'application/json', contentType);
    });

    it('answers 415 when the content type is missing', () => {
      // Arrange
      const request = { headers: {}, body: '{"entry":"x"}' };

      // Act
      const problem = problemOf(() => parseCreateEntryRequest(request));

      // Assert
      expect(problem.status).toBe(415);
    });

    it('truncates a huge content type in the detail', () => {
      // Arrange
      const contentType = `text/${'x'.repeat(5_000)}`;

      // Act
      const problem = problemOf(() => parseCreateEntryRequest({ headers: { 'content-type': contentType }, body: '{}' }));

      // Assert
      expect(problem.status).toBe(415);
      expect(problem.detail.length).toBeLessThan(200);
    });
  });

  describe('body size', () => {
    it('answers 413 to a body one byte over the limit', () => {
      // Arrange
      const body = `{"entry":"${'a'.repeat(MAX_BODY_BYTES - 11)}"}`;
      expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES + 1);

      expectRefused(jsonRequest(body), 413, String(MAX_BODY_BYTES));
    });

    it('reads a body of exactly the limit', () => {
      // Arrange: JSON whitespace pads a small entry up to the limit
      const json = '{"entry":"Used Redis"}';
      const body = json + ' '.repeat(MAX_BODY_BYTES - json.length);

      // Act
      const parsed = parseCreateEntryRequest(jsonRequest(body));

      // Assert
      expect(parsed.entry).toBe('Used Redis');
    });

    it('counts bytes, not characters, so multi-byte text cannot slip past the limit', () => {
      // Arrange: 45,000 three-byte characters are 135,000 bytes but only 45,000 UTF-16 units
      const body = `{"entry":"${'€'.repeat(45_000)}"}`;

      // Act
      const problem = problemOf(() => parseCreateEntryRequest(jsonRequest(body)));

      // Assert
      expect(problem.status).toBe(413);
    });

    it('accepts a maximal entry even when every character is JSON-escaped', () => {
      // Arrange: 10,000 astral characters written as \\uXXXX\\uXXXX escapes (12 bytes each)
      const entry = '😀'.repeat(MAX_ENTRY_CHARS);
      const body = `{"entry":"${'\\ud83d\\ude00'.repeat(MAX_ENTRY_CHARS)}"}`;

      // Act
      const parsed = parseCreateEntryRequest(jsonRequest(body));

      // Assert
      expect(parsed.entry).toBe(entry);
    });

    it('measures a base64-encoded body after decoding it', () => {
      // Arrange
      const body = Buffer.from(JSON.stringify({ entry: 'Deployed with Terraform' })).toString('base64');

      // Act
      const parsed = parseCreateEntryRequest({ headers: JSON_HEADERS, body, isBase64Encoded: true });

      // Assert
      expect(parsed.entry).toBe('Deployed with Terraform');
    });
  });

  describe('JSON', () => {
    it.each([
      ['truncated JSON', '{"entry": "x"'],
      ['empty body', ''],
      ['single quotes', "{'entry': 'x'}"],
      ['trailing comma', '{"entry": "x",}'],
      ['plain text', 'Heute habe ich Django benutzt'],
    ])('answers 400 to %s', (_name, body) => {
      // Act
      const problem = problemOf(() => parseCreateEntryRequest(jsonRequest(body)));

      // Assert
      expect(problem.status).toBe(400);
      expect(problem.detail).toMatch(/not valid JSON/);
    });

    it.each([
      ['a lone continuation byte', [0x80]],
      ['a truncated two-byte sequence', [0xc3]],
      ['an overlong encoding', [0xc0, 0xaf]],
      ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ])('answers 400 to a base64 body with invalid UTF-8 (%s) instead of storing U+FFFD', (_name, bad) => {
      // Arrange: API Gateway hands over bytes it cannot pass as text base64-encoded
      const raw = Buffer.concat([Buffer.from('{"entry": "Django '), Buffer.from(bad), Buffer.from('"}')]);

      // Act
      const problem = problemOf(() =>
        parseCreateEntryRequest({ headers: JSON_HEADERS, body: raw.toString('base64'), isBase64Encoded: true }),
      );

      // Assert
      expect(problem.status).toBe(400);
      expect(problem.detail).toMatch(/not valid UTF-8/);
    });

    it('keeps a U+FFFD the client really sent', () => {
      // Arrange
      const body = Buffer.from(JSON.stringify({ entry: 'Django \uFFFD' })).toString('base64');

      // Act
      const parsed = parseCreateEntryRequest({ headers: JSON_HEADERS, body, isBase64Encoded: true });

      // Assert
      expect(parsed.entry).toBe('Django \uFFFD');
    });

    it('answers 400 when the body is missing altogether', () => {
      // Act
      const problem = problemOf(() => parseCreateEntryRequest({ headers: JSON_HEADERS }));

      // Assert
      expect(problem.status).toBe(400);
    });

    it.each([
      ['an array', '[{"entry":"x"}]'],
      ['a string', '"Django"'],
      ['a number', '42'],
      ['null', 'null'],
      ['true', 'true'],
    ])('answers 422 when the JSON is %s', (_name, body) => {
      expectRefused(jsonRequest(body), 422, 'JSON object');
    });
  });

  describe('the entry', () => {
    it.each([
      ['a number', 42, 'must be a string'],
      ['null', null, 'must be a string'],
      ['an array', ['Django'], 'must be a string'],
      ['an object', { text: 'Django' }, 'must be a string'],
      ['a boolean', true, 'must be a string'],
    ])('answers 422 when it is %s', (_name, entry, message) => {
      // Act
      const problem = problemOf(() => parseCreateEntryRequest(jsonRequest(JSON.stringify({ entry }))));

      // Assert
      expect(problem.status).toBe(422);
      expect(problem.detail).toBe(`'entry' ${message}.`);
    });

    it('answers 422 when it is missing', () => {
      // Act
      const problem = problemOf(() => parseCreateEntryRequest(jsonRequest('{"text":"Django"}')));

      // Assert
      expect(problem.status).toBe(422);
      expect(problem.detail).toBe("'entry' is required.");
    });

    it.each([
      ['empty', ''],
      ['spaces', '     '],
      ['newlines and tabs', '\n\t\r\n'],
      ['non-breaking and ideographic spaces', '\u00a0\u3000'],
      ['zero-width spaces and joiners', '\u200b\u200c\u200d\u2060\ufeff'],
    ])('answers 422 when it is %s', (_name, entry) => {
      expectRefused(jsonRequest(JSON.stringify({ entry })), 422, 'must not be empty or only whitespace');
    });

    it('accepts exactly 10,000 code points, counting astral characters once', () => {
      // Arrange: 10,000 code points that are 20,000 UTF-16 units
      const entry = '𝔊'.repeat(MAX_ENTRY_CHARS);

      // Act
      const parsed = parseCreateEntryRequest(jsonRequest(JSON.stringify({ entry })));

      // Assert
      expect(parsed.entry).toBe(entry);
    });

    it('accepts exactly 10,000 ASCII characters', () => {
      // Arrange
      const entry = 'a'.repeat(MAX_ENTRY_CHARS);

      // Act
      const parsed = parseCreateEntryRequest(jsonRequest(JSON.stringify({ entry })));

      // Assert
      expect(parsed.entry).toHaveLength(MAX_ENTRY_CHARS);
    });

    it.each([
      ['ASCII', 'a'],
      ['astral', '𝔊'],
    ])('answers 422 to 10,001 %s characters', (_name, char) => {
      // Arrange
      const entry = char.repeat(MAX_ENTRY_CHARS + 1);

      expectRefused(jsonRequest(JSON.stringify({ entry })), 422, 'at most 10000 characters');
    });

    it.each([
      ['a NUL character', '{"entry":"Django\\u0000 and Go"}', 'NUL'],
      ['a lone high surrogate', '{"entry":"Django \\ud800 Go"}', 'well-formed Unicode'],
      ['a lone low surrogate', '{"entry":"Django \\udc00"}', 'well-formed Unicode'],
      ['reversed surrogates', '{"entry":"\\ude00\\ud83d"}', 'well-formed Unicode'],
    ])('answers 422 to %s', (_name, body, detailPart) => {
      expectRefused(jsonRequest(body), 422, detailPart);
    });

    it('keeps the entry exactly as sent, surrounding whitespace and emoji included', () => {
      // Arrange
      const entry = '  Heute: Django → Elasticsearch 🚀\n';

      // Act
      const parsed = parseCreateEntryRequest(jsonRequest(JSON.stringify({ entry })));

      // Assert
      expect(parsed.entry).toBe(entry);
    });

    it('ignores unknown fields', () => {
      // Arrange
      const body = JSON.stringify({ entry: 'Used Kafka', ownerId: 'someone-else', status: 'done', tags: ['x'] });

      // Act
      const parsed = parseCreateEntryRequest(jsonRequest(body));

      // Assert
      expect(parsed).toEqual({ entry: 'Used Kafka', idempotencyKey: undefined });
    });
  });

  describe('Idempotency-Key', () => {
    it.each([
      ['a UUID', '3f1d3c1e-8f9a-4c39-9e0a-2b9f1f0d7a11'],
      ['one character', 'k'],
      ['255 visible ASCII characters', '~'.repeat(255)],
      ['punctuation', '!#$%&*+/=?^_`{|}~'],
    ])('accepts %s', (_name, key) => {
      // Act
      const parsed = parseCreateEntryRequest(jsonRequest('{"entry":"x"}', { 'idempotency-key': key }));

      // Assert
      expect(parsed.idempotencyKey).toBe(key);
    });

    it.each([
      ['empty', ''],
      ['256 characters', 'k'.repeat(256)],
      ['a space', 'my key'],
      ['non-ASCII', 'schlüssel'],
      ['a control character', 'key\u0007'],
    ])('answers 400 when it is %s', (_name, key) => {
      expectRefused(jsonRequest('{"entry":"x"}', { 'idempotency-key': key }), 400, 'Idempotency-Key');
    });

    it('is optional', () => {
      // Act
      const parsed = parseCreateEntryRequest(jsonRequest('{"entry":"x"}'));

      // Assert
      expect(parsed.idempotencyKey).toBeUndefined();
    });
  });

  describe('properties', () => {
    /** Entries a user may send: not blank, at most 10,000 code points, no NUL, well-formed. */
    const validEntry = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 300 })
      .filter((entry) => entry.trim().length > 0 && !entry.includes('\u0000'));

    it('accepts any valid entry and returns it unchanged', () => {
      fc.assert(
        fc.property(validEntry, fc.boolean(), (entry, base64) => {
          // Arrange
          const json = JSON.stringify({ entry });
          const body = base64 ? Buffer.from(json).toString('base64') : json;

          // Act
          const parsed = parseCreateEntryRequest({ headers: JSON_HEADERS, body, isBase64Encoded: base64 });

          // Assert
          expect(parsed.entry).toBe(entry);
        }),
      );
    });

    it('rejects any entry made only of whitespace with 422', () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...WHITESPACE_CHARS), { maxLength: 50 }), (chars) => {
          // Arrange
          const body = JSON.stringify({ entry: chars.join('') });

          // Act
          const problem = problemOf(() => parseCreateEntryRequest(jsonRequest(body)));

          // Assert
          expect(problem.status).toBe(422);
        }),
      );
    });

    it('never throws anything but a 4xx ProblemError on junk', () => {
      const junkBody = fc.oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.json(),
        fc.jsonValue().map((value) => JSON.stringify({ entry: value })),
        fc.string({ unit: 'binary' }).map((entry) => JSON.stringify({ entry })),
        fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
        // Any UTF-16 units, lone surrogates included, inside a JSON string
        fc
          .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 50 })
          .map((units) => JSON.stringify({ entry: String.fromCharCode(...units) })),
      );
      fc.assert(
        fc.property(
          junkBody,
          fc.boolean(),
          fc.option(fc.string(), { nil: undefined }),
          fc.option(fc.string(), { nil: undefined }),
          (body, base64, contentType, idempotencyKey) => {
            // Arrange
            const request: HttpRequestParts = {
              headers: { 'content-type': contentType ?? 'application/json', 'idempotency-key': idempotencyKey },
              body,
              isBase64Encoded: base64,
            };

            // Act
            let thrown: unknown;
            try {
              parseCreateEntryRequest(request);
            } catch (error) {
              thrown = error;
            }

            // Assert
            if (thrown !== undefined) {
              expect(thrown).toBeInstanceOf(ProblemError);
              expect((thrown as ProblemError).status).toBeGreaterThanOrEqual(400);
              expect((thrown as ProblemError).status).toBeLessThan(500);
            }
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});

describe('parseEntryId', () => {
  it('accepts a ULID', () => {
    expect(parseEntryId(VALID_ID)).toBe(VALID_ID);
  });

  it.each([
    ['missing', undefined],
    ['lower case', VALID_ID.toLowerCase()],
    ['too short', VALID_ID.slice(1)],
    ['too long', `${VALID_ID}A`],
    ['with the excluded letter I', `${VALID_ID.slice(0, 25)}I`],
    ['a path traversal', '../../etc/passwd'],
    ['a key injection', 'ENTRY#01JDQ8Z6X4M1V9T3K7N2P5R8W'],
  ])('answers 400 when the id is %s', (_name, id) => {
    // Act
    const problem = problemOf(() => parseEntryId(id));

    // Assert
    expect(problem.status).toBe(400);
    expect(problem.detail).toContain('ULID');
  });
});

describe('parseListEntriesRequest', () => {
  it('defaults to 20 entries from the start', () => {
    expect(parseListEntriesRequest()).toEqual({ limit: LIST_LIMIT.default, afterId: undefined });
    expect(parseListEntriesRequest({})).toEqual({ limit: 20, afterId: undefined });
  });

  it.each([
    ['1', 1],
    ['100', 100],
    ['42', 42],
  ])('accepts limit=%s', (limit, expected) => {
    expect(parseListEntriesRequest({ limit }).limit).toBe(expected);
  });

  it.each([['0'], ['101'], ['-1'], ['1.5'], ['abc'], [''], ['1e2'], [' 5'], ['1000']])('answers 400 to limit=%j', (limit) => {
    // Act
    const problem = problemOf(() => parseListEntriesRequest({ limit }));

    // Assert
    expect(problem.status).toBe(400);
    expect(problem.detail).toContain("'limit' must be an integer from 1 to 100");
  });

  it('turns a cursor this API issued back into the id to start after', () => {
    // Arrange
    const cursor = encodeCursor(VALID_ID);

    // Act
    const parsed = parseListEntriesRequest({ cursor, limit: '5' });

    // Assert
    expect(parsed).toEqual({ limit: 5, afterId: VALID_ID });
  });

  it.each([['garbage'], [''], ['eyJ2IjoxfQ'], ['!!!']])('answers 400 to cursor=%j', (cursor) => {
    // Act
    const problem = problemOf(() => parseListEntriesRequest({ cursor }));

    // Assert
    expect(problem.status).toBe(400);
    expect(problem.detail).toContain('cursor');
  });
});
