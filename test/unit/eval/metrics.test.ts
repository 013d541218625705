import { describe, expect, it } from 'vitest';
import { microScores, scoreEntry, tagKey } from '../../../eval/metrics.js';

describe('scoreEntry', () => {
  it('compares tags case-insensitively and ignores runs of whitespace', () => {
    // Act
    const score = scoreEntry(['Django', 'Spring Boot', 'Go'], ['django', 'spring   boot', 'Rust']);

    // Assert
    expect(score).toEqual({ hits: ['Django', 'Spring Boot'], misses: ['Go'], extras: ['Rust'] });
  });

  it('counts a tag predicted twice once', () => {
    expect(scoreEntry(['Redis'], ['Redis', 'redis', 'REDIS'])).toEqual({ hits: ['Redis'], misses: [], extras: [] });
  });

  it('scores an empty label against an empty answer as nothing wrong', () => {
    expect(scoreEntry([], [])).toEqual({ hits: [], misses: [], extras: [] });
  });

  it('normalises keys the same way for both sides', () => {
    expect(tagKey('  Google\tCloud  Run ')).toBe('google cloud run');
  });
});

describe('microScores', () => {
  it('pools every tag of every entry before dividing', () => {
    // Arrange: 3 hits, 1 extra, 2 misses over two entries.
    const scores = [scoreEntry(['A', 'B', 'C'], ['A', 'B', 'X']), scoreEntry(['D', 'E'], ['D'])];

    // Act
    const micro = microScores(scores);

    // Assert
    expect(micro.truePositives).toBe(3);
    expect(micro.falsePositives).toBe(1);
    expect(micro.falseNegatives).toBe(2);
    expect(micro.precision).toBeCloseTo(3 / 4);
    expect(micro.recall).toBeCloseTo(3 / 5);
    expect(micro.f1).toBeCloseTo((2 * 0.75 * 0.6) / (0.75 + 0.6));
  });

  it('gives 1 when nothing was expected and nothing predicted', () => {
    expect(microScores([scoreEntry([], [])])).toMatchObject({ precision: 1, recall: 1, f1: 1 });
  });

  it('gives F1 0 when every prediction is wrong and everything was missed', () => {
    expect(microScores([scoreEntry(['Go'], ['Rust'])])).toMatchObject({ precision: 0, recall: 0, f1: 0 });
  });

  it('does not reward predicting nothing: recall drops, precision stays 1', () => {
    expect(microScores([scoreEntry(['Go', 'Rust'], [])])).toMatchObject({ precision: 1, recall: 0, f1: 0 });
  });
});
