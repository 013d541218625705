import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../../bench/options.js';
import { approximateTokens, promptTokensOf } from '../../../tools/model-server/index.js';

describe('parseBenchOptions', () => {
  it('runs every section at full counts by default', () => {
    expect(parseBenchOptions([])).toEqual({ sections: ['decoupling', 'drain', 'cold-start', 'cost', 'aggregator-scale'], quick: false });
  });

  it('runs the sections named by --only, in the bench\'s order, with --quick counts', () => {
    expect(parseBenchOptions(['--only', 'cost,cold-start', '--quick'])).toMatchObject({ sections: ['cold-start', 'cost'], quick: true });
    expect(parseBenchOptions(['--only', 'aggregator-scale'])).toMatchObject({ sections: ['aggregator-scale'] });
  });

  it('names an unknown section and the valid ones', () => {
    expect(() => parseBenchOptions(['--only', 'drain,latency'])).toThrow(/unknown section latency; choose from decoupling, drain, cold-start, cost, aggregator-scale/);
    expect(() => parseBenchOptions(['--fast'])).toThrow();
  });
});

describe('the scripted model\'s token counts', () => {
  it('counts about four characters per token, rounded up', () => {
    expect(approximateTokens('')).toBe(0);
    expect(approximateTokens('abcd')).toBe(1);
    expect(approximateTokens('abcde')).toBe(2);
  });

  it('counts the messages and the structured-output schema as prompt tokens', () => {
    const messages = [{ role: 'system', content: 'x'.repeat(400) }, { role: 'user', content: '{"entry":"Django"}' }];
    const withoutSchema = promptTokensOf({ messages });
    const withSchema = promptTokensOf({ messages, response_format: { type: 'json_schema', json_schema: { name: 'tech_stack', schema: {} } } });
    expect(withoutSchema).toBe(Math.ceil(`system\n${'x'.repeat(400)}\nuser\n{"entry":"Django"}`.length / 4));
    expect(withSchema).toBeGreaterThan(withoutSchema);
  });
});
