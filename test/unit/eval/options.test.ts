import { describe, expect, it } from 'vitest';
import { parseEvalOptions } from '../../../eval/options.js';
import { UsageError } from '../../../tools/shared/cli.js';

describe('parseEvalOptions', () => {
  it('defaults to the offline extractor over the main data set, without a threshold', () => {
    expect(parseEvalOptions([])).toEqual({
      extractor: 'offline',
      threshold: undefined,
      limit: undefined,
      dataset: 'eval/devlogs.jsonl',
      concurrency: 1,
      promptVersion: undefined,
      json: false,
      model: undefined,
      baseline: undefined,
      maxRegression: 0.02,
    });
  });

  it('takes a candidate model, which implies the openai extractor, a baseline and the allowed regression', () => {
    expect(parseEvalOptions(['--model', 'gpt-x', '--baseline', 'prod.json', '--max-regression', '0.05'])).toMatchObject({
      extractor: 'openai',
      model: 'gpt-x',
      baseline: 'prod.json',
      maxRegression: 0.05,
    });
  });

  it('reads the flags of the issue', () => {
    // Act
    const options = parseEvalOptions(['--threshold', '0.8', '--extractor', 'openai', '--limit', '10', '--prompt-version', '1']);

    // Assert
    expect(options).toMatchObject({ threshold: 0.8, extractor: 'openai', limit: 10, concurrency: 4, promptVersion: 1 });
  });

  it.each([
    [['--extractor', 'claude'], /offline or openai/u],
    [['--threshold', '80'], /between 0 and 1/u],
    [['--model', 'gpt-x', '--extractor', 'offline'], /does not go with --extractor offline/u],
    [['--model', ' '], /needs a model name/u],
    [['--max-regression', '2'], /between 0 and 1/u],
    [['--threshold', 'high'], /needs a number/u],
    [['--limit', '0'], /positive whole number/u],
    [['--limit', '2.5'], /positive whole number/u],
    [['--treshold', '0.8'], /treshold/u],
  ])('rejects %j', (argv, message) => {
    expect(() => parseEvalOptions(argv)).toThrow(UsageError);
    expect(() => parseEvalOptions(argv)).toThrow(message);
  });
});
