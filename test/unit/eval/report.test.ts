import { describe, expect, it } from 'vitest';
import type { LabelledEntry } from '../../../eval/dataset.js';
import type { Evaluation } from '../../../eval/evaluate.js';
import { microScores, scoreEntry } from '../../../eval/metrics.js';
import { formatReport, passes, reportJson, type ReportContext } from '../../../eval/report.js';

const labelled = (id: string, expected: string[]): LabelledEntry => ({ id, lang: 'en', entry: expected.join(' '), expected, notes: '' });

const evaluationOf = (pairs: [LabelledEntry, string[]][]): Evaluation => {
  const results = pairs.map(([entry, tags]) => ({
    entry,
    tags,
    dropped: [],
    score: scoreEntry(entry.expected, tags),
    usage: { inputTokens: 0, outputTokens: 0 },
  }));
  const overall = microScores(results.map((result) => result.score));
  return {
    results,
    overall,
    byLanguage: { en: overall, de: microScores([]) },
    droppedByReason: { ungrounded: 2 },
    usage: { inputTokens: 1200, outputTokens: 80 },
    model: 'gpt-4o-mini',
    errors: 0,
    elapsedMs: 1500,
  };
};

const context: ReportContext = {
  extractor: 'openai',
  dataset: 'eval/devlogs.jsonl',
  promptVersion: 1,
  threshold: 0.8,
  costUsd: 0.00023,
  concurrency: 4,
  conditions: 'Node v20, linux x64',
};

describe('formatReport', () => {
  it('lists the misses and extras of each differing entry and ends with the figures and the verdict', () => {
    // Arrange
    const evaluation = evaluationOf([
      [labelled('good', ['Django']), ['Django']],
      [labelled('bad', ['Go', 'Rust']), ['Go', 'Oracle']],
    ]);

    // Act
    const report = formatReport(evaluation, context);

    // Assert
    expect(report).toContain('Entries with differences: 1 of 2');
    expect(report).toContain('  bad  missed: Rust; extra: Oracle');
    expect(report).not.toMatch(/good {2}/u);
    expect(report).toContain('precision 0.667  recall 0.667  F1 0.667  (TP 2, FP 1, FN 1)');
    expect(report).toContain('Dropped by postProcessTags: 2 ungrounded');
    expect(report).toContain('Tokens: 1200 input, 80 output; estimated cost $0.0002');
    expect(report.trimEnd().split('\n').at(-1)).toBe('Threshold: F1 0.667 < 0.8 FAIL');
  });
});

describe('passes', () => {
  it('passes at the threshold, fails below it, and always passes without one', () => {
    const evaluation = evaluationOf([[labelled('a', ['Go', 'Rust']), ['Go']]]);
    expect(passes(evaluation, 2 / 3)).toBe(true);
    expect(passes(evaluation, 0.7)).toBe(false);
    expect(passes(evaluation, undefined)).toBe(true);
  });
});

describe('reportJson', () => {
  it('carries the figures, the verdict and only the differing entries', () => {
    const json = reportJson(
      evaluationOf([
        [labelled('a', ['Go']), ['Go']],
        [labelled('b', ['Go']), []],
      ]),
      context,
    );
    expect(json).toMatchObject({ entries: 2, passed: false, overall: { truePositives: 1, falseNegatives: 1 } });
    expect(json.differences).toEqual([{ id: 'b', misses: ['Go'], extras: [], dropped: [], error: undefined }]);
  });
});
