import { describe, expect, it } from 'vitest';
import { findInText } from '../../../lambdas/tag-extraction/domain/post-process.js';
import { DatasetError, loadDataset, parseDataset } from '../../../eval/dataset.js';

const SEED =
  'Heute habe ich eine Anwendung mit Django geschrieben, die Daten nach Elasticsearch schreibt, und sie auf ImaginaryNoneExistence Cloud deployed.';

describe.each(['eval/devlogs.jsonl', 'eval/devlogs.holdout.jsonl'])('the labelled data set %s', (path) => {
  it('loads, and every expected tag occurs in its entry as a whole name', async () => {
    // Act
    const dataset = await loadDataset(path);

    // Assert
    const ungrounded = dataset.flatMap((entry) =>
      entry.expected.filter((tag) => findInText(tag, entry.entry) === undefined).map((tag) => `${entry.id}: ${tag}`),
    );
    expect(ungrounded).toEqual([]);
  });

  it('lists no tag twice within an entry', async () => {
    const dataset = await loadDataset(path);
    const repeated = dataset.filter((entry) => new Set(entry.expected.map((tag) => tag.toLowerCase())).size !== entry.expected.length);
    expect(repeated.map((entry) => entry.id)).toEqual([]);
  });
});

describe('the main data set', () => {
  it('has at least 80 entries in German and English, some without any technology', async () => {
    // Act
    const dataset = await loadDataset('eval/devlogs.jsonl');

    // Assert
    expect(dataset.length).toBeGreaterThanOrEqual(80);
    expect(dataset.filter((entry) => entry.lang === 'de').length).toBeGreaterThanOrEqual(30);
    expect(dataset.filter((entry) => entry.lang === 'en').length).toBeGreaterThanOrEqual(30);
    expect(dataset.filter((entry) => entry.expected.length === 0).length).toBeGreaterThanOrEqual(10);
  });

  it("contains the issue's seed entry with its labels", async () => {
    const dataset = await loadDataset('eval/devlogs.jsonl');
    const seed = dataset.find((entry) => entry.entry === SEED);
    expect(seed?.expected).toEqual(['Django', 'Elasticsearch', 'ImaginaryNoneExistence Cloud']);
  });

  it('uses ambiguous names both as technologies and as plain words', async () => {
    // Arrange
    const dataset = await loadDataset('eval/devlogs.jsonl');
    const asTech = (name: string) => dataset.some((entry) => entry.expected.includes(name));
    const asWord = (name: string) =>
      dataset.some(
        (entry) => !entry.expected.some((tag) => tag.toLowerCase() === name.toLowerCase()) && findInText(name, entry.entry) !== undefined,
      );

    // Assert
    for (const name of ['Go', 'R', 'C', 'Swift', 'Spark', 'Rust', 'Chef', 'Zustand', 'Kafka', 'Express', 'Lambda']) {
      expect({ name, asTech: asTech(name), asWord: asWord(name) }).toEqual({ name, asTech: true, asWord: true });
    }
  });

  it('has prompt-injection attempts, aliases, versions and long entries', async () => {
    const dataset = await loadDataset('eval/devlogs.jsonl');
    expect(dataset.filter((entry) => entry.id.includes('injection')).length).toBeGreaterThanOrEqual(4);
    expect(dataset.some((entry) => entry.expected.includes('Postgres'))).toBe(true);
    expect(dataset.some((entry) => entry.expected.includes('k8s'))).toBe(true);
    expect(dataset.some((entry) => /Python 3\.12/u.test(entry.entry))).toBe(true);
    expect(dataset.filter((entry) => entry.entry.length > 500).length).toBeGreaterThanOrEqual(3);
  });
});

describe('parseDataset', () => {
  const valid = JSON.stringify({ id: 'a', lang: 'en', entry: 'Go', expected: ['Go'], notes: '' });

  it('ignores blank lines', () => {
    expect(parseDataset(`${valid}\n\n`)).toHaveLength(1);
  });

  it('reports every bad line with its number', () => {
    // Arrange
    const jsonl = [
      valid,
      '{not json',
      JSON.stringify({ id: 'b', lang: 'fr', entry: 'x', expected: [], notes: '' }),
      JSON.stringify({ id: 'c', lang: 'en', entry: '', expected: [''], notes: '', extra: 1 }),
      valid,
    ].join('\n');

    // Act
    const error = (() => {
      try {
        parseDataset(jsonl, 'test.jsonl');
      } catch (thrown) {
        return thrown;
      }
    })();

    // Assert
    expect(error).toBeInstanceOf(DatasetError);
    const problems = (error as DatasetError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^line 2: not JSON/u);
    expect(problems[1]).toMatch(/^line 3: lang/u);
    expect(problems[2]).toMatch(/^line 4: /u);
    expect(problems[3]).toBe('line 5: duplicate id a');
  });
});
