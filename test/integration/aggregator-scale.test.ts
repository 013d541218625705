import { describe, expect, it } from 'vitest';
import { measureAggregatorScale } from '../../bench/aggregator-scale.js';

/*
 * The aggregator's work per change, in DynamoDB units (ConsumedCapacity from the real handler
 * on dynalite, index writes from item sizes): the same for a user with 10 entries of a tag as
 * for one with 300. `npm run bench -- --only aggregator-scale` runs it at 10, 1,000 and 10,000.
 */
describe('the tech-stack aggregator at scale', () => {
  it('reads and writes the same units per change (add, respell, delete the newest and the oldest) at 10 and 300 entries of a tag', async () => {
    // Arrange and act
    const [small, large] = await measureAggregatorScale([10, 300]);

    // Assert
    expect(large?.changes).toEqual(small?.changes);
    expect(small?.changes['add the newest entry'].readUnits).toBeGreaterThan(0);
  }, 120_000);
});
