import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findInText, MAX_TAG_LENGTH, MAX_TAGS_PER_ENTRY, postProcessTags } from '../../../../lambdas/tag-extraction/domain/post-process.js';

/*
 * Properties of the tag post-processing that post-process.test.ts does not cover yet: bounds
 * under huge answers, independence from what it drops, order, and grounding of arbitrary
 * (hostile) model output against arbitrary entry text.
 */

const collapse = (value: string) => value.replace(/\s+/gu, ' ');
/** A character no generated text contains (removed from it where it slips in). */
const HALLUCINATION_MARK = '\u{1D54F}';

/** Entry text with names, punctuation, regex metacharacters and any Unicode. */
const entryText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom('Django', 'C++', 'Node.js', '.NET', 'a.b*c', '(x)', '[y]', '$z', 'Grüße', 'S3', 'ß'),
        fc.string({ maxLength: 6 }),
      ),
      { maxLength: 25 },
    )
    .map((words) => words.join(' ')),
);

/** What a model may answer for a text: slices of it (what a good model does) and anything at all. */
const candidatesFor = (text: string) =>
  fc.array(
    fc.oneof(
      fc
        .tuple(fc.nat(Math.max(0, text.length)), fc.integer({ min: 1, max: 30 }))
        .map(([start, length]) => text.slice(start, start + length)),
      fc.string({ maxLength: 20 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.constantFrom('', ' ', '.*', '\\', '(', '[a-z]+', '$&', 'Hadoop'),
    ),
    { maxLength: 30 },
  );

const textAndCandidates = entryText.chain((text) => fc.tuple(fc.constant(text), candidatesFor(text)));

describe('postProcessTags properties', () => {
  it(`never keeps more than ${MAX_TAGS_PER_ENTRY} tags, however many grounded names the model returns`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), (count) => {
        // Arrange: `count` distinct names, all in the text
        const names = Array.from({ length: count }, (_, index) => `Tech${index}x`);
        const text = names.join(' ');

        // Act
        const { tags, dropped } = postProcessTags(names, text);

        // Assert
        expect(tags).toHaveLength(Math.min(count, MAX_TAGS_PER_ENTRY));
        expect(dropped.filter((drop) => drop.reason === 'too-many')).toHaveLength(Math.max(0, count - MAX_TAGS_PER_ENTRY));
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the same tags when hallucinated candidates are mixed in anywhere', () => {
    fc.assert(
      fc.property(
        textAndCandidates.chain(([text, candidates]) =>
          fc.tuple(
            fc.constant(text.replaceAll(HALLUCINATION_MARK, '')),
            fc.constant(candidates),
            fc.array(fc.tuple(fc.nat(candidates.length), fc.string({ maxLength: 8 })), { maxLength: 10 }),
          ),
        ),
        ([text, candidates, insertions]) => {
          // Arrange: names with a character the text lacks, at random positions
          const mixed = [...candidates];
          for (const [position, name] of insertions) mixed.splice(position, 0, `${name}${HALLUCINATION_MARK}`);

          // Act
          const { tags } = postProcessTags(mixed, text);

          // Assert
          expect(tags).toEqual(postProcessTags(candidates, text).tags);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps every tag as a whole name the text contains, spelled as the text spells it, within the length bound', () => {
    fc.assert(
      fc.property(textAndCandidates, ([text, candidates]) => {
        // Act
        const { tags } = postProcessTags(candidates, text);

        // Assert
        for (const tag of tags) {
          expect(tag.length).toBeGreaterThan(0);
          expect(tag.length).toBeLessThanOrEqual(MAX_TAG_LENGTH);
          expect(collapse(findInText(tag, text) ?? '<not found>')).toBe(tag);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('drops any candidate with a letter or digit the text does not have (a hallucination)', () => {
    fc.assert(
      fc.property(entryText, fc.string({ minLength: 1, maxLength: 10 }), (text, name) => {
        // Arrange: a character that cannot occur in the text in any case
        const candidate = `${name}${HALLUCINATION_MARK}`;

        // Act
        const { tags, dropped } = postProcessTags([candidate], text.replaceAll(HALLUCINATION_MARK, ''));

        // Assert
        expect(tags).toEqual([]);
        expect(dropped).toHaveLength(1);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps tags in the order the model gave them', () => {
    fc.assert(
      fc.property(textAndCandidates, ([text, candidates]) => {
        // Act
        const { tags } = postProcessTags(candidates, text);

        // Assert: each tag's first candidate comes after the previous tag's first candidate
        const firstCandidateIndex = tags.map((tag) =>
          candidates.findIndex((candidate) => {
            const value = collapse(candidate).trim();
            return (
              value.length > 0 &&
              value.length <= MAX_TAG_LENGTH &&
              collapse(findInText(value, text) ?? '').toLowerCase() === tag.toLowerCase()
            );
          }),
        );
        expect(firstCandidateIndex).toEqual([...firstCandidateIndex].sort((a, b) => a - b));
        expect(firstCandidateIndex.every((index) => index >= 0)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
