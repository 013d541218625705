import { describe, expect, it, vi } from 'vitest';
import { lazyExtractor } from '../../../../lambdas/tag-extraction/adapters/lazy-extractor.js';
import { fakeExtractor } from '../../support/fake-extraction-ports.js';

describe('lazyExtractor', () => {
  it('loads nothing until the first extraction', () => {
    // Arrange
    const load = vi.fn(async () => fakeExtractor());

    // Act
    lazyExtractor(load);

    // Assert
    expect(load).not.toHaveBeenCalled();
  });

  it('loads once, also when several records ask at the same time', async () => {
    // Arrange
    const inner = fakeExtractor({ tags: ['Django'], model: 'm' });
    const load = vi.fn(async () => inner);
    const extractor = lazyExtractor(load);

    // Act
    const results = await Promise.all(['a', 'b', 'c'].map((text) => extractor.extract(text)));

    // Assert
    expect(load).toHaveBeenCalledOnce();
    expect(results.map((result) => result.tags)).toEqual([['Django'], ['Django'], ['Django']]);
    expect(inner.extract.mock.calls.map((call) => call[0])).toEqual(['a', 'b', 'c']);
  });

  it('tries the load again after a failed one', async () => {
    // Arrange
    const load = vi
      .fn<() => Promise<ReturnType<typeof fakeExtractor>>>()
      .mockRejectedValueOnce(new Error('Cannot find module'))
      .mockResolvedValue(fakeExtractor({ tags: ['Go'], model: 'm' }));
    const extractor = lazyExtractor(load);
    await expect(extractor.extract('Go')).rejects.toThrow('Cannot find module');

    // Act
    const result = await extractor.extract('Go');

    // Assert
    expect(result.tags).toEqual(['Go']);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
