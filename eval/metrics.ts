/** What one entry's predicted tags got right and wrong (tags compared case-insensitively). */
export interface EntryScore {
  /** Expected tags that were predicted, in the expected spelling. */
  hits: string[];
  /** Expected tags that were not predicted (false negatives). */
  misses: string[];
  /** Predicted tags that were not expected (false positives), in the predicted spelling. */
  extras: string[];
}

/** Micro-averaged scores over many entries: every tag of every entry counts once. */
export interface MicroScores {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
}

/** How tags are compared: case and runs of whitespace do not matter ("Spring  boot" = "Spring Boot"). */
export function tagKey(tag: string): string {
  return tag.replace(/\s+/gu, ' ').trim().toLocaleLowerCase();
}

/** Scores one entry's predicted tags against the expected ones (duplicates count once). */
export function scoreEntry(expected: readonly string[], predicted: readonly string[]): EntryScore {
  const expectedKeys = new Set(expected.map(tagKey));
  const predictedKeys = new Set(predicted.map(tagKey));
  return {
    hits: unique(expected).filter((tag) => predictedKeys.has(tagKey(tag))),
    misses: unique(expected).filter((tag) => !predictedKeys.has(tagKey(tag))),
    extras: unique(predicted).filter((tag) => !expectedKeys.has(tagKey(tag))),
  };
}

/**
 * Micro precision, recall and F1 over entries. With nothing predicted precision is 1 (nothing
 * wrong was claimed); with nothing expected recall is 1 (nothing was missed); F1 is 0 when both
 * are 0. So a data set of empty entries answered with empty lists scores 1.
 */
export function microScores(scores: readonly EntryScore[]): MicroScores {
  const truePositives = sum(scores.map((score) => score.hits.length));
  const falsePositives = sum(scores.map((score) => score.extras.length));
  const falseNegatives = sum(scores.map((score) => score.misses.length));
  const precision = ratio(truePositives, truePositives + falsePositives);
  const recall = ratio(truePositives, truePositives + falseNegatives);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives, falsePositives, falseNegatives, precision, recall, f1 };
}

function unique(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  return tags.filter((tag) => {
    const key = tagKey(tag);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 1 : part / whole;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
