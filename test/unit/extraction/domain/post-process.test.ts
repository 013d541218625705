import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findInText, MAX_TAG_LENGTH, MAX_TAGS_PER_ENTRY, postProcessTags } from '../../../../lambdas/tag-extraction/domain/post-process.js';

const GERMAN_ENTRY =
  'Heute habe ich eine Anwendung mit Django geschrieben, die Suchanfragen nach Elasticsearch schickt, ' +
  'und sie auf ImaginaryNoneExistence Cloud deployed.';

describe('postProcessTags', () => {
  it("keeps the German example's stack, unknown products included", () => {
    // Act
    const result = postProcessTags(['Django', 'Elasticsearch', 'ImaginaryNoneExistence Cloud'], GERMAN_ENTRY);

    // Assert
    expect(result).toEqual({ tags: ['Django', 'Elasticsearch', 'ImaginaryNoneExistence Cloud'], dropped: [] });
  });

  it('drops what the model made up for the German example', () => {
    // Act
    const result = postProcessTags(['Django', 'Python', 'AWS', 'Kibana', 'ImaginaryNoneExistence Cloud'], GERMAN_ENTRY);

    // Assert
    expect(result.tags).toEqual(['Django', 'ImaginaryNoneExistence Cloud']);
    expect(result.dropped).toEqual([
      { candidate: 'Python', reason: 'ungrounded' },
      { candidate: 'AWS', reason: 'ungrounded' },
      { candidate: 'Kibana', reason: 'ungrounded' },
    ]);
  });

  it.each<[string, string[], string, string[]]>([
    ["trims the model's whitespace", ['  Django\n', '\tRedis '], 'Django with Redis', ['Django', 'Redis']],
    [
      'spells a tag as the text does, not as the model did',
      ['postgresql', 'NODE.JS'],
      'Moved from PostgreSQL to node.js today',
      ['PostgreSQL', 'node.js'],
    ],
    ["keeps the model's order", ['Redis', 'Django'], 'Django and Redis', ['Redis', 'Django']],
    ['finds "Go" as a word of its own, next to punctuation', ['Go', 'Java'], 'Ported it from Java (Go, mostly).', ['Go', 'Java']],
    ['does not mistake letters after a version for a version', ['Log', 'Go'], 'Patched Log4j, bought a Go2go ticket', []],
    ['treats digits as part of a name', ['S3', 'EC2'], 'Stored files in S3x and ran EC2', ['EC2']],
    ['does not treat punctuation in a tag as a pattern', ['C.+', 'a|b', '(x'], 'Used Cxx and a and b', []],
    [
      'handles German letters and case',
      ['ÄrgerDB', 'grüne Wolke'],
      'Die Daten liegen in ärgerDB auf der Grüne Wolke.',
      ['ärgerDB', 'Grüne Wolke'],
    ],
    ['does not glue German letters onto a name', ['Go'], 'Wir haben Goöl benutzt', []],
  ])('%s', (_name, candidates, text, tags) => {
    // Act
    const result = postProcessTags(candidates, text);

    // Assert
    expect(result.tags).toEqual(tags);
  });

  it.each<[string, string[], string, string[], { candidate: string; reason: string }[]]>([
    [
      'dedupes case-insensitively, keeping the first',
      ['Django', 'django', 'DJANGO', 'Redis'],
      'Django and Redis',
      ['Django', 'Redis'],
      [
        { candidate: 'django', reason: 'duplicate' },
        { candidate: 'DJANGO', reason: 'duplicate' },
      ],
    ],
    [
      'does not find "Java" in "JavaScript"',
      ['Java', 'JavaScript'],
      'Wrote JavaScript all day',
      ['JavaScript'],
      [{ candidate: 'Java', reason: 'ungrounded' }],
    ],
    [
      'dedupes names that differ only in whitespace',
      ['Google Cloud', 'google   cloud'],
      'Moved to Google Cloud',
      ['Google Cloud'],
      [{ candidate: 'google   cloud', reason: 'duplicate' }],
    ],
  ])('%s', (_name, candidates, text, tags, dropped) => {
    // Act
    const result = postProcessTags(candidates, text);

    // Assert
    expect(result.tags).toEqual(tags);
    expect(result.dropped).toEqual(dropped);
  });

  it.each([[''], ['   '], ['\n\t']])('drops the empty candidate %j', (candidate) => {
    // Act
    const result = postProcessTags([candidate], 'Django');

    // Assert
    expect(result).toEqual({ tags: [], dropped: [{ candidate, reason: 'empty' }] });
  });

  it('drops candidates longer than a name, even when the text contains them', () => {
    // Arrange
    const sentence = 'a'.repeat(MAX_TAG_LENGTH + 1);

    // Act
    const result = postProcessTags([sentence, 'b'.repeat(MAX_TAG_LENGTH)], `${sentence} ${'b'.repeat(MAX_TAG_LENGTH)}`);

    // Assert
    expect(result.tags).toEqual(['b'.repeat(MAX_TAG_LENGTH)]);
    expect(result.dropped).toEqual([{ candidate: sentence, reason: 'too-long' }]);
  });

  it('does not find "Go" in "Google"', () => {
    // Act
    const result = postProcessTags(['Go'], 'Searched Google for an answer');

    // Assert
    expect(result).toEqual({ tags: [], dropped: [{ candidate: 'Go', reason: 'ungrounded' }] });
  });

  it('finds a name the model wrote without the version the text glued to it', () => {
    // Arrange: the prompt asks for names without version numbers
    const text = 'Skript in Python3, Seite mit HTML5 und Vue3, Backend auf Java17 und Go1.22.';

    // Act
    const result = postProcessTags(['Python', 'HTML', 'Vue', 'Java', 'Go'], text);

    // Assert
    expect(result.tags).toEqual(['Python', 'HTML', 'Vue', 'Java', 'Go']);
  });

  it.each([
    ['C++', 'Rewrote it in C++ last week'],
    ['C#', 'Used C# and .NET'],
    ['Node.js', 'Upgraded Node.js to 22'],
  ])('finds %s with its punctuation', (tag, text) => {
    expect(postProcessTags([tag], text).tags).toEqual([tag]);
  });

  it.each([
    ['S', 'Stored the files in S3'],
    ['EC', 'Ran the workers on EC2'],
    ['ec', 'Ran the workers on EC2'],
    ['C', 'Rewrote it in C++ last week'],
    ['C', 'Used C# and .NET'],
    ['F', 'Tried F# for the parser'],
    ['C', 'Ported the app to Objective-C'],
    ['R', 'Put the assets into R2'],
  ])('does not ground %s in a fragment of a longer name (%s)', (tag, text) => {
    expect(postProcessTags([tag], text)).toEqual({ tags: [], dropped: [{ candidate: tag, reason: 'ungrounded' }] });
  });

  it.each([
    ['C', 'Wrote the driver in C and the tools in Rust.'],
    ['C', 'Languages: C, Go'],
    ['C', 'Mostly plain C.'],
    ['R', 'Analysed the data in R (tidyverse)'],
    ['R', 'Stats with R/Python'],
    ['C', 'Ein kleines C-Programm geschrieben'],
  ])('grounds the single-letter name %s as a standalone token (%s)', (tag, text) => {
    expect(postProcessTags([tag], text).tags).toEqual([tag]);
  });

  it('matches names across runs of spaces and newlines, in both the text and the candidate', () => {
    // Arrange
    const text = 'Deployed on Amazon   Web\nServices and Google\n\nCloud Run';

    // Act
    const result = postProcessTags(['Amazon Web Services', 'Google  Cloud\tRun'], text);

    // Assert
    expect(result.tags).toEqual(['Amazon Web Services', 'Google Cloud Run']);
  });

  it(`keeps at most ${MAX_TAGS_PER_ENTRY} tags`, () => {
    // Arrange
    const names = Array.from({ length: MAX_TAGS_PER_ENTRY + 2 }, (_, index) => `tool${index}`);

    // Act
    const result = postProcessTags(names, names.join(' '));

    // Assert
    expect(result.tags).toEqual(names.slice(0, MAX_TAGS_PER_ENTRY));
    expect(result.dropped).toEqual(names.slice(MAX_TAGS_PER_ENTRY).map((candidate) => ({ candidate, reason: 'too-many' })));
  });

  it('keeps nothing from nothing', () => {
    expect(postProcessTags([], GERMAN_ENTRY)).toEqual({ tags: [], dropped: [] });
  });

  describe('properties', () => {
    const words = [
      'Go',
      'Go1.22',
      'Python3',
      'Google',
      'Java',
      'JavaScript',
      'C++',
      'C#',
      'Node.js',
      'Amazon',
      'Web',
      'Services',
      'ärgerDB',
      'S3',
      'a',
      '.NET',
      '(x)',
      'Grüße',
    ];
    const separator = fc.constantFrom(' ', '  ', '\n', '\t', ', ', '. ', '-', '/', '');
    const text = fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 8 })), separator), { maxLength: 30 })
      .map((parts) => parts.map(([word, sep]) => word + sep).join(''));
    const candidateFor = (entryText: string) =>
      fc.oneof(
        fc.constantFrom(...words),
        fc.string({ maxLength: 10 }),
        fc.string({ unit: 'binary', maxLength: 10 }),
        // a slice of the text, perhaps with its case or spacing changed: what a model might return
        fc
          .tuple(fc.nat(entryText.length), fc.nat(40), fc.constantFrom('same', 'upper', 'lower', 'spaced'))
          .map(([start, length, style]) => {
            const slice = entryText.slice(start, start + length);
            if (style === 'upper') return slice.toUpperCase();
            if (style === 'lower') return slice.toLowerCase();
            if (style === 'spaced') return ` ${slice.replace(/ /g, '  ')}\n`;
            return slice;
          }),
      );
    const textAndCandidates = text.chain((entryText) =>
      fc.tuple(fc.constant(entryText), fc.array(candidateFor(entryText), { maxLength: 20 })),
    );

    it('keeps only tags that occur in the text, as the text spells them', () => {
      fc.assert(
        fc.property(textAndCandidates, ([entryText, candidates]) => {
          // Act
          const { tags } = postProcessTags(candidates, entryText);

          // Assert
          const collapsedText = entryText.replace(/\s+/gu, ' ');
          for (const tag of tags) expect(collapsedText).toContain(tag);
        }),
        { numRuns: 60 },
      );
    });

    it('never keeps two tags that are equal ignoring case', () => {
      fc.assert(
        fc.property(textAndCandidates, ([entryText, candidates]) => {
          // Act
          const { tags } = postProcessTags(candidates, entryText);

          // Assert
          const lowered = tags.map((tag) => tag.toLowerCase());
          expect(new Set(lowered).size).toBe(lowered.length);
        }),
        { numRuns: 60 },
      );
    });

    it('changes nothing when run again on its own output', () => {
      fc.assert(
        fc.property(textAndCandidates, ([entryText, candidates]) => {
          // Arrange
          const once = postProcessTags(candidates, entryText);

          // Act
          const twice = postProcessTags(once.tags, entryText);

          // Assert
          expect(twice).toEqual({ tags: once.tags, dropped: [] });
        }),
        { numRuns: 60 },
      );
    });

    it('accounts for every candidate: kept or dropped with a reason', () => {
      fc.assert(
        fc.property(textAndCandidates, ([entryText, candidates]) => {
          // Act
          const { tags, dropped } = postProcessTags(candidates, entryText);

          // Assert
          expect(tags.length + dropped.length).toBe(candidates.length);
          for (const tag of tags) expect(tag.length).toBeGreaterThan(0);
          for (const tag of tags) expect(tag.length).toBeLessThanOrEqual(MAX_TAG_LENGTH);
          for (const tag of tags) expect(tag).toBe(tag.trim());
        }),
        { numRuns: 60 },
      );
    });
  });
});

describe('findInText', () => {
  it("returns the text's own spelling", () => {
    expect(findInText('elasticsearch', 'Sent it to ElasticSearch')).toBe('ElasticSearch');
  });

  it('returns the first occurrence', () => {
    expect(findInText('redis', 'REDIS first, Redis later')).toBe('REDIS');
  });

  it('returns undefined when the name is missing', () => {
    expect(findInText('Kafka', 'Used RabbitMQ')).toBeUndefined();
  });
});
