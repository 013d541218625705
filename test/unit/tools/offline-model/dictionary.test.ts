import { describe, expect, it } from 'vitest';
import { buildDictionary } from '../../../../tools/tag-extraction/offline-model/dictionary.js';
import { linguistLanguages } from '../../../../tools/tag-extraction/offline-model/languages.js';
import { CURATED_TECHNOLOGIES, MATCH_RULES, parseDictionaryFile } from '../../../../tools/tag-extraction/offline-model/technologies.js';

describe("the offline model's dictionary", () => {
  const dictionary = buildDictionary();
  const spellings = new Map(dictionary.map((spelling) => [spelling.spelling, spelling]));

  it("knows a few hundred curated technologies plus Linguist's languages", () => {
    // Arrange
    const curated = Object.values(CURATED_TECHNOLOGIES).flat().length;
    const technologies = new Set(dictionary.map((spelling) => spelling.technology));

    // Assert
    expect(curated).toBeGreaterThanOrEqual(300);
    expect(technologies.size).toBeGreaterThan(curated + 200);
  });

  it.each([
    'Django',
    'Elasticsearch',
    'PostgreSQL',
    'Kubernetes',
    'AWS Lambda',
    'Terraform',
    'React',
    'Next.js',
    'Spring Boot',
    'Kafka',
    'Redis',
    'Docker',
    'GitHub Actions',
  ])('has %s', (name) => {
    expect(spellings.has(name)).toBe(true);
  });

  it('takes programming languages from Linguist (Verilog, PureScript, Nextflow are not curated)', () => {
    for (const name of ['Verilog', 'PureScript', 'Nextflow', 'MATLAB', 'Tcl']) {
      expect(spellings.get(name)?.technology).toBe(name.toLowerCase());
    }
  });

  it('leaves out Linguist names that are ordinary words or file kinds', () => {
    for (const name of ['Factor', 'Grace', 'Red', 'Mercury', 'Python console', 'Linker Script', 'Shell', 'q']) {
      expect(spellings.has(name)).toBe(false);
    }
    expect(linguistLanguages().some((language) => language.spellings.includes('coffee'))).toBe(false);
  });

  it('lets the curated rule decide for ambiguous languages Linguist also lists', () => {
    expect(spellings.get('Go')?.rule).toBe('tech-context');
    expect(spellings.get('golang')?.rule).toBe('any-case');
    expect(spellings.get('R')?.rule).toBe('tech-context');
  });

  it('matches short acronyms in capitals only, unless a rule says otherwise', () => {
    expect(spellings.get('SAP')?.rule).toBe('exact-case');
    expect(spellings.get('AWS')?.rule).toBe('exact-case');
    expect(spellings.get('Kubernetes')?.rule).toBe('any-case');
  });

  it('has a rule only for spellings it knows, so a typo in MATCH_RULES cannot go unnoticed', () => {
    const unknown = Object.keys(MATCH_RULES).filter((spelling) => !spellings.has(spelling));
    expect(unknown).toEqual([]);
  });

  it('lists no spelling twice', () => {
    const curated = Object.values(CURATED_TECHNOLOGIES)
      .flat()
      .flatMap((entry) => entry.split('|'))
      .map((spelling) => spelling.toLowerCase());
    const repeated = curated.filter((spelling, index) => curated.indexOf(spelling) !== index);
    expect(repeated).toEqual([]);
  });

  it('refuses a dictionary file with an unknown match rule or a malformed entry, so a typo fails the load', () => {
    const valid = {
      technologies: { databases: ['PostgreSQL|Postgres'] },
      matchRules: [{ why: 'words', spellings: { Go: 'tech-context' } }],
    };

    expect(parseDictionaryFile(valid)).toEqual(valid);
    expect(() => parseDictionaryFile({ ...valid, matchRules: [{ why: 'words', spellings: { Go: 'tech-contxt' } }] })).toThrow();
    expect(() => parseDictionaryFile({ ...valid, technologies: { databases: ['PostgreSQL||Postgres'] } })).toThrow();
    expect(() => parseDictionaryFile({ ...valid, extra: true })).toThrow();
  });
});
