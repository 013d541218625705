import { describe, expect, it, vi } from 'vitest';
import { RateLimitCircuitOpenError, RetryableError } from '../../../../lambdas/tag-extraction/domain/errors.js';
import type { TagExtractor } from '../../../../lambdas/tag-extraction/domain/ports.js';
import { RateLimitCircuit } from '../../../../lambdas/tag-extraction/domain/rate-limit-circuit.js';

const rateLimited = (retryAfter?: number) => new RetryableError('OpenAI answered 429', retryAfter, { rateLimited: true });

function scriptedExtractor(outcomes: (Error | string[])[]) {
  const extract = vi.fn<TagExtractor['extract']>(async () => {
    const next = outcomes.shift() ?? [];
    if (next instanceof Error) throw next;
    return { tags: next, model: 'm' };
  });
  return { extract };
}

describe('RateLimitCircuit', () => {
  it('stops calling the model after `threshold` 429s in a row, for the cooldown', async () => {
    let now = 0;
    const model = scriptedExtractor([rateLimited(), rateLimited(), rateLimited()]);
    const circuit = new RateLimitCircuit(model, { threshold: 3, cooldownSeconds: 30 }, () => now);

    for (let i = 0; i < 3; i++) await expect(circuit.extract('text')).rejects.toThrow(RetryableError);
    const open = circuit.extract('text');

    await expect(open).rejects.toBeInstanceOf(RateLimitCircuitOpenError);
    await expect(open).rejects.toMatchObject({ retryAfterSeconds: 30 });
    expect(model.extract).toHaveBeenCalledTimes(3);

    now = 30_001;
    await expect(circuit.extract('text')).resolves.toEqual({ tags: [], model: 'm' });
    expect(model.extract).toHaveBeenCalledTimes(4);
  });

  it('stays open as long as the server asked with retry-after when that is longer', async () => {
    let now = 0;
    const circuit = new RateLimitCircuit(scriptedExtractor([rateLimited(120)]), { threshold: 1, cooldownSeconds: 30 }, () => now);

    await expect(circuit.extract('text')).rejects.toThrow('429');
    now = 60_000;

    await expect(circuit.extract('text')).rejects.toMatchObject({ retryAfterSeconds: 60 });
  });

  it('does not count other failures, and a success resets the count', async () => {
    const model = scriptedExtractor([
      rateLimited(),
      new RetryableError('OpenAI answered 500'),
      rateLimited(),
      ['Django'],
      rateLimited(),
      ['Django'],
    ]);
    const circuit = new RateLimitCircuit(model, { threshold: 2, cooldownSeconds: 30 }, () => 0);

    await expect(circuit.extract('a')).rejects.toThrow('429');
    await expect(circuit.extract('a')).rejects.toThrow('500');
    await expect(circuit.extract('a')).rejects.toThrow('429');
    await expect(circuit.extract('a')).resolves.toMatchObject({ tags: ['Django'] });
    await expect(circuit.extract('a')).rejects.toThrow('429');
    await expect(circuit.extract('a')).resolves.toMatchObject({ tags: ['Django'] });
    expect(model.extract).toHaveBeenCalledTimes(6);
  });
});
