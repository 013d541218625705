import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from '../../../bench/options.js';
import { completionTokensOf, promptTokensOf } from '../../../tools/tag-extraction/model-server/index.js';

describe('parseBenchOptions', () => {
  it('runs every section at full counts by default', () => {
    expect(parseBenchOptions([])).toEqual({
      sections: ['decoupling', 'drain', 'cold-start', 'cost', 'aggregator-scale'],
      quick: false,
      json: false,
      updateChart: false,
    });
  });

  it("rewrites the README's chart only when asked, and prints JSON when asked", () => {
    expect(parseBenchOptions(['--quick'])).toMatchObject({ quick: true, updateChart: false });
    expect(parseBenchOptions(['--only', 'cost', '--json', '--update-chart'])).toMatchObject({
      sections: ['cost'],
      json: true,
      updateChart: true,
    });
  });

  it("runs the sections named by --only, in the bench's order, with --quick counts", () => {
    expect(parseBenchOptions(['--only', 'cost,cold-start', '--quick'])).toMatchObject({ sections: ['cold-start', 'cost'], quick: true });
    expect(parseBenchOptions(['--only', 'aggregator-scale'])).toMatchObject({ sections: ['aggregator-scale'] });
  });

  it('names an unknown section and the valid ones', () => {
    expect(() => parseBenchOptions(['--only', 'drain,latency'])).toThrow(
      /unknown section latency; choose from decoupling, drain, cold-start, cost, aggregator-scale/,
    );
    expect(() => parseBenchOptions(['--fast'])).toThrow();
  });
});

describe("the scripted model's token counts", () => {
  it("counts tokens with o200k_base, the tokenizer of OpenAI's current families", () => {
    expect(completionTokensOf('')).toBe(0);
    expect(completionTokensOf('Hello, world!')).toBe(4);
  });

  it('counts the messages in the chat format and the structured-output schema as prompt tokens', () => {
    const messages = [{ role: 'system', content: 'Hello, world!' }];
    const withoutSchema = promptTokensOf({ messages });
    const withSchema = promptTokensOf({
      messages,
      response_format: { type: 'json_schema', json_schema: { name: 'tech_stack', schema: {} } },
    });
    // 3 around the message + "system" + 4 of content + 3 priming the answer.
    expect(withoutSchema).toBe(11);
    expect(withSchema).toBeGreaterThan(withoutSchema);
  });
});
