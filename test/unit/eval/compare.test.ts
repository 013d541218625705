import { describe, expect, it } from 'vitest';
import { compareRuns, parseBaseline } from '../../../eval/compare.js';

const PRODUCTION = {
  model: 'gpt-6-luna',
  promptVersion: 1,
  overall: { precision: 0.95, recall: 0.9, f1: 0.925 },
  source: 'production.json',
};

describe('compareRuns', () => {
  it('passes a candidate within the allowed fall and says by how much it moved', () => {
    // Act
    const comparison = compareRuns(
      { model: 'gpt-x', promptVersion: 2, overall: { precision: 0.94, recall: 0.9, f1: 0.92 } },
      PRODUCTION,
      0.02,
    );

    // Assert
    expect(comparison.regressed).toBe(false);
    expect(comparison.lines[0]).toBe('Candidate (gpt-x, prompt v2) vs production (gpt-6-luna, prompt v1, production.json):');
    expect(comparison.lines).toContain('  f1        0.920 vs 0.925 (-0.005)');
    expect(comparison.lines.at(-1)).toMatch(/^No regression/);
  });

  it('fails a candidate whose F1 falls by more than the allowed regression', () => {
    // Act
    const comparison = compareRuns({ model: 'gpt-x', overall: { precision: 0.99, recall: 0.7, f1: 0.82 } }, PRODUCTION, 0.02);

    // Assert
    expect(comparison.regressed).toBe(true);
    expect(comparison.lines.at(-1)).toBe('REGRESSION: F1 falls by 0.105, more than the allowed 0.02');
  });
});

describe('parseBaseline', () => {
  it('reads the scores of a --json report', () => {
    const report = JSON.stringify({
      model: 'gpt-6-luna',
      promptVersion: 1,
      overall: { precision: 1, recall: 0.5, f1: 0.667, truePositives: 1 },
      entries: 3,
    });
    expect(parseBaseline(report, 'p.json')).toEqual({
      model: 'gpt-6-luna',
      promptVersion: 1,
      overall: { precision: 1, recall: 0.5, f1: 0.667 },
    });
  });

  it.each([
    ['not JSON', 'nope', /p\.json is not JSON/],
    ['not a report', '{"model": "x"}', /p\.json is not an eval report/],
  ])('refuses %s, naming the file', (_name, text, message) => {
    expect(() => parseBaseline(text, 'p.json')).toThrow(message);
  });
});
