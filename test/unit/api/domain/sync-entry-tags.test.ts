import { beforeEach, describe, expect, it } from 'vitest';
import { readTechStack, syncEntryTags } from '../../../../lambdas/api/domain/sync-entry-tags.js';
import { InMemoryEntryTagSource, InMemoryTagAggregates } from '../../support/fake-tech-stack-ports.js';

const OWNER = 'alice';
const JAN = '2026-01-10T09:00:00.000Z';
const MAR = '2026-03-02T09:00:00.000Z';
const JUN = '2026-06-20T09:00:00.000Z';

let entries: InMemoryEntryTagSource;
let aggregates: InMemoryTagAggregates;
let deps: { entries: InMemoryEntryTagSource; aggregates: InMemoryTagAggregates };

beforeEach(() => {
  entries = new InMemoryEntryTagSource();
  aggregates = new InMemoryTagAggregates();
  deps = { entries, aggregates };
});

async function techStack(ownerId = OWNER) {
  return (await readTechStack(aggregates, ownerId)).items;
}

describe('syncEntryTags', () => {
  it('counts each entry that carries a tag once, most used first, with the first and last entry dates', async () => {
    entries.set(OWNER, 'e1', { createdAt: JAN, tags: ['Django', 'Elasticsearch'] });
    entries.set(OWNER, 'e2', { createdAt: MAR, tags: ['django'] });
    entries.set(OWNER, 'e3', { createdAt: JUN, tags: ['Kafka', 'Django'] });

    for (const id of ['e1', 'e2', 'e3']) await syncEntryTags(deps, OWNER, id);

    expect(await techStack()).toEqual([
      { value: 'Django', count: 3, firstSeen: JAN, lastSeen: JUN },
      { value: 'Kafka', count: 1, firstSeen: JUN, lastSeen: JUN },
      { value: 'Elasticsearch', count: 1, firstSeen: JAN, lastSeen: JAN },
    ]);
  });

  it('changes nothing when the same change is synced again (a duplicate or replayed record)', async () => {
    entries.set(OWNER, 'e1', { createdAt: JAN, tags: ['Django'] });
    await syncEntryTags(deps, OWNER, 'e1');

    const again = await syncEntryTags(deps, OWNER, 'e1');
    await syncEntryTags(deps, OWNER, 'e1');

    expect(again).toEqual({ kind: 'unchanged' });
    expect(await techStack()).toEqual([{ value: 'Django', count: 1, firstSeen: JAN, lastSeen: JAN }]);
  });

  it('moves the count to the new tags when an entry is edited and re-extracted', async () => {
    entries.set(OWNER, 'e1', { createdAt: JAN, tags: ['Django'] });
    await syncEntryTags(deps, OWNER, 'e1');

    entries.set(OWNER, 'e1', { createdAt: JAN, tags: [] });
    await syncEntryTags(deps, OWNER, 'e1');
    entries.set(OWNER, 'e1', { createdAt: JAN, tags: ['Flask'] });
    const outcome = await syncEntryTags(deps, OWNER, 'e1');

    expect(outcome).toEqual({ kind: 'applied', changedTags: ['flask'] });
    expect(await techStack()).toEqual([{ value: 'Flask', count: 1, firstSeen: JAN, lastSeen: JAN }]);
  });

  it('adds what a newer prompt found and keeps what both prompts found counted once', async () => {
    entries.set(OWNER, 'e1', { createdAt: JAN, tags: ['Django'] });
    await syncEntryTags(deps, OWNER, 'e1');

    entries.set(OWNER, 'e1', { createdAt: JAN, tags: ['Django', 'PostgreSQL'] });
    const outcome = await syncEntryTags(deps, OWNER, 'e1');

    expect(outcome).toEqual({ kind: 'applied', changedTags: ['postgresql'] });
    expect((await techStack()).map(({ value, count }) => [value, count])).toEqual([
      ['Django', 1],
      ['PostgreSQL', 1],
    ]);
  });

  it('moves firstSeen and lastSeen to the remaining entries when the oldest and newest are deleted', async () => {
    entries.set(OWNER, 'e1', { createdAt: JAN, tags: ['Django'] });
    entries.set(OWNER, 'e2', { createdAt: MAR, tags: ['Django'] });
    entries.set(OWNER, 'e3', { createdAt: JUN, tags: ['Django', 'Kafka'] });
    for (const id of ['e1', 'e2', 'e3']) await syncEntryTags(deps, OWNER, id);

    entries.set(OWNER, 'e1', undefined);
    entries.set(OWNER, 'e3', undefined);
    await syncEntryTags(deps, OWNER, 'e1');
    await syncEntryTags(deps, OWNER, 'e3');

    expect(await techStack()).toEqual([{ value: 'Django', count: 1, firstSeen: MAR, lastSeen: MAR }]);
    expect(aggregates.appliedRecords.size).toBe(1);
  });

  it('converges when records arrive out of order: an old record finds the entry as it is now', async () => {
    entries.set(OWNER, 'e1', { createdAt: JAN, tags: ['Django'] });
    await syncEntryTags(deps, OWNER, 'e1');
    entries.set(OWNER, 'e1', { createdAt: JAN, tags: ['Flask'] });
    await syncEntryTags(deps, OWNER, 'e1');

    // The record of the first write is delivered again, after the second one.
    await syncEntryTags(deps, OWNER, 'e1');

    expect((await techStack()).map(({ value, count }) => [value, count])).toEqual([['Flask', 1]]);
  });

  it('is exact after a crash between the tag index and the totals, once the record is retried', async () => {
    entries.set(OWNER, 'e1', { createdAt: JAN, tags: ['Django', 'Kafka'] });
    aggregates.failNext('refreshTotal');

    await expect(syncEntryTags(deps, OWNER, 'e1')).rejects.toThrow(/injected/);
    await syncEntryTags(deps, OWNER, 'e1');
    await syncEntryTags(deps, OWNER, 'e1');

    expect((await techStack()).map(({ value, count }) => [value, count])).toEqual([
      ['Django', 1],
      ['Kafka', 1],
    ]);
  });

  it('is exact after a crash before the applied record is saved, once the record is retried', async () => {
    entries.set(OWNER, 'e1', { createdAt: JAN, tags: ['Django'] });
    await syncEntryTags(deps, OWNER, 'e1');
    entries.set(OWNER, 'e1', undefined);
    aggregates.failNext('saveApplied');

    await expect(syncEntryTags(deps, OWNER, 'e1')).rejects.toThrow(/injected/);
    await syncEntryTags(deps, OWNER, 'e1');

    expect(await techStack()).toEqual([]);
    expect(aggregates.appliedRecords.size).toBe(0);
  });

  it('redoes what it wrote when a rival sync saved the applied record first', async () => {
    entries.set(OWNER, 'e1', { createdAt: JAN, tags: ['Django'] });
    // A rival applies the entry's newer state while this sync is between its reads and its save.
    const original = aggregates.saveApplied.bind(aggregates);
    let rivalRan = false;
    aggregates.saveApplied = async (ownerId, entryId, tags, expected) => {
      if (!rivalRan) {
        rivalRan = true;
        entries.set(OWNER, 'e1', { createdAt: JAN, tags: ['Flask'] });
        await aggregates.unindexEntry(OWNER, 'e1', 'django');
        await aggregates.indexEntry(OWNER, 'e1', 'flask', 'Flask', JAN);
        await aggregates.refreshTotal(OWNER, 'django');
        await aggregates.refreshTotal(OWNER, 'flask');
        await original(OWNER, 'e1', { flask: 'Flask' }, undefined);
      }
      return original(ownerId, entryId, tags, expected);
    };

    const outcome = await syncEntryTags(deps, OWNER, 'e1');

    expect(outcome).toEqual({ kind: 'applied', changedTags: ['django'] });
    expect((await techStack()).map(({ value, count }) => [value, count])).toEqual([['Flask', 1]]);
  });

  it('keeps owners apart', async () => {
    entries.set('alice', 'e1', { createdAt: JAN, tags: ['Django'] });
    entries.set('bob', 'e2', { createdAt: MAR, tags: ['Rust'] });
    await syncEntryTags(deps, 'alice', 'e1');
    await syncEntryTags(deps, 'bob', 'e2');

    expect((await techStack('bob')).map(({ value }) => value)).toEqual(['Rust']);
  });
});
