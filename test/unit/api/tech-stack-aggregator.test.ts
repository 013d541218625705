import { beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import type { UseCaseLogger } from '../../../lambdas/devlog-api/domain/ports.js';
import { readTechStack } from '../../../lambdas/devlog-api/domain/sync-entry-tags.js';
import {
  createTechStackAggregator,
  entryChangeOf,
  type TechStackAggregatorHandler,
} from '../../../lambdas/devlog-api/aggregator/handler-factory.js';
import { InMemoryEntryTagSource, InMemoryTagAggregates } from '../support/fake-tech-stack-ports.js';
import { lambdaContext } from '../support/lambda-context.js';
import { entryItem, streamEvent, streamRecord } from '../support/stream-records.js';

const OWNER = 'alice';
const context = lambdaContext('tech-stack-aggregator');

let entries: InMemoryEntryTagSource;
let aggregates: InMemoryTagAggregates;
let logger: { error: Mock<UseCaseLogger['error']>; warn: Mock<UseCaseLogger['warn']> };
let aggregate: TechStackAggregatorHandler;

beforeEach(() => {
  entries = new InMemoryEntryTagSource();
  aggregates = new InMemoryTagAggregates();
  logger = { error: vi.fn<UseCaseLogger['error']>(), warn: vi.fn<UseCaseLogger['warn']>() };
  aggregate = createTechStackAggregator({ entries, aggregates, logger });
});

/** Makes the in-memory entries table hold `item` (or nothing) and returns the record of that write. */
function write(oldItem: Record<string, unknown> | undefined, newItem: Record<string, unknown> | undefined) {
  const item = newItem ?? oldItem;
  entries.set(
    OWNER,
    String(item?.id),
    newItem ? { createdAt: String(newItem.createdAt), tags: (newItem.tags as { value: string }[]).map((tag) => tag.value) } : undefined,
  );
  return streamRecord({ oldItem, newItem });
}

async function counts() {
  return (await readTechStack(aggregates, OWNER, 100)).items.map(({ value, count }) => [value, count]);
}

describe('the tech-stack aggregator', () => {
  it('counts an entry once however often its records are delivered', async () => {
    const created = write(undefined, entryItem(OWNER, 'e1', []));
    const tagged = write(entryItem(OWNER, 'e1', []), entryItem(OWNER, 'e1', ['Django', 'Elasticsearch']));

    const first = await aggregate(streamEvent(created, tagged), context);
    await aggregate(streamEvent(tagged, tagged), context);
    await aggregate(streamEvent(created, tagged), context);

    expect(first).toEqual({ batchItemFailures: [] });
    expect(await counts()).toEqual([
      ['Django', 1],
      ['Elasticsearch', 1],
    ]);
  });

  it('ends with the entry as it is now when records of an edit come reordered', async () => {
    const tagged = write(entryItem(OWNER, 'e1', []), entryItem(OWNER, 'e1', ['Django']));
    const edited = write(entryItem(OWNER, 'e1', ['Django']), entryItem(OWNER, 'e1', [], { revision: 2 }));
    const retagged = write(entryItem(OWNER, 'e1', [], { revision: 2 }), entryItem(OWNER, 'e1', ['Flask'], { revision: 2 }));

    await aggregate(streamEvent(retagged, edited), context);
    await aggregate(streamEvent(tagged), context);

    expect(await counts()).toEqual([['Flask', 1]]);
  });

  it('removes a deleted entry from the counts', async () => {
    const tagged = write(entryItem(OWNER, 'e1', []), entryItem(OWNER, 'e1', ['Django']));
    write(undefined, entryItem(OWNER, 'e2', ['Django']));
    await aggregate(streamEvent(tagged, streamRecord({ newItem: entryItem(OWNER, 'e2', ['Django']) })), context);

    const deleted = write(entryItem(OWNER, 'e1', ['Django']), undefined);
    await aggregate(streamEvent(deleted, deleted), context);

    expect(await counts()).toEqual([['Django', 1]]);
  });

  it('keeps counts exact through an edit and a deletion whose records all come twice, some out of order', async () => {
    write(undefined, entryItem(OWNER, 'e2', ['Django']));
    const other = streamRecord({ newItem: entryItem(OWNER, 'e2', ['Django']) });
    const tagged = write(entryItem(OWNER, 'e1', []), entryItem(OWNER, 'e1', ['Django', 'Redis']));
    await aggregate(streamEvent(other, tagged, tagged), context);
    const edited = write(entryItem(OWNER, 'e1', ['Django', 'Redis']), entryItem(OWNER, 'e1', [], { revision: 2 }));
    const retagged = write(entryItem(OWNER, 'e1', [], { revision: 2 }), entryItem(OWNER, 'e1', ['Rust'], { revision: 2 }));
    await aggregate(streamEvent(retagged, edited, retagged, edited), context);
    const afterEdit = await counts();

    const deleted = write(entryItem(OWNER, 'e1', ['Rust'], { revision: 2 }), undefined);
    await aggregate(streamEvent(deleted, retagged, deleted, tagged), context);

    expect(afterEdit).toEqual([
      ['Django', 1],
      ['Rust', 1],
    ]);
    expect(await counts()).toEqual([['Django', 1]]);
  });

  it('does not read the entry for writes that leave its tags alone, nor for other items of the table', async () => {
    const resent = streamRecord({
      oldItem: entryItem(OWNER, 'e1', [], { enqueuedAt: '2026-01-10T09:00:00.000Z' }),
      newItem: entryItem(OWNER, 'e1', [], { enqueuedAt: '2026-01-10T09:20:00.000Z' }),
    });
    const idempotencyKey = streamRecord({ newItem: { pk: `OWNER#${OWNER}`, sk: 'IDEMPOTENCY#k1', state: 'in-progress' } });

    const response = await aggregate(streamEvent(resent, idempotencyKey), context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(entries.reads).toBe(0);
  });

  it('reports a record that failed so Lambda retries from it, and the retry counts it once', async () => {
    const first = write(undefined, entryItem(OWNER, 'e1', ['Django']));
    const second = write(undefined, { ...entryItem(OWNER, 'e2', ['Django']), createdAt: '2026-02-01T00:00:00.000Z' });
    aggregates.failNext('applyToTotal');

    const response = await aggregate(streamEvent(first, second), context);
    await aggregate(streamEvent(first, second), context);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: first.dynamodb?.SequenceNumber }] });
    expect(await counts()).toEqual([['Django', 2]]);
  });

  it('skips a record it cannot read, with an error log, instead of blocking the shard', async () => {
    const broken = streamRecord({ newItem: entryItem(OWNER, 'e1', ['Django']) });
    broken.dynamodb = { Keys: { pk: { S: 'OWNER#alice' } } };

    const response = await aggregate(streamEvent(broken), context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(logger.error).toHaveBeenCalledWith('skipped an unreadable stream record', expect.objectContaining({ eventID: broken.eventID }));
  });
});

describe('entryChangeOf', () => {
  it('names the entry of a record whose tags changed', () => {
    const record = streamRecord({ oldItem: entryItem('a#b', 'e1', []), newItem: entryItem('a#b', 'e1', ['Go']) });

    expect(entryChangeOf(record)).toEqual({ kind: 'tags-may-have-changed', ownerId: 'a#b', entryId: 'e1' });
  });
});
