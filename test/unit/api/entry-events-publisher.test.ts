import 'aws-sdk-client-mock-vitest/extend';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEntryEventsHandler } from '../../../lambdas/devlog-api/entry-events/handler-factory.js';
import { matchesEntryEventsFilter } from '../../../lambdas/devlog-api/entry-events/settings.js';
import { ENTRY_EVENT_SCHEMAS, type EntryEventDetailType } from '../../../lambdas/contract/index.js';
import { capturedLogger } from '../support/captured-logger.js';
import { lambdaContext } from '../support/lambda-context.js';
import { entryItem, streamEvent, streamRecord } from '../support/stream-records.js';

const eventBridge = mockClient(EventBridgeClient);
const ENTRY_A = '01JDQ8Z6X4M1V9T3K7N2P5R8WA';
const ENTRY_B = '01JDQ8Z6X4M1V9T3K7N2P5R8WB';
const TAGGED = { model: 'gpt-6-luna', promptVersion: 3, extractorVersion: '1.2.0', revision: 2, updatedAt: '2026-12-01T10:00:01.512Z' };

function publisher() {
  const { logger, lines } = capturedLogger('devlog-entry-events');
  const handler = createEntryEventsHandler(
    { EVENT_BUS_NAME: 'devlog-tags-test' },
    { eventBridgeClient: new EventBridgeClient({ region: 'eu-central-1' }), logger },
  );
  return { handle: (...records: Parameters<typeof streamEvent>) => handler(streamEvent(...records), lambdaContext('entry-events')), lines };
}

/** Every entry PutEvents was called with, in order. */
function published(): PutEventsRequestEntry[] {
  return eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
}

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_entry, index) => ({ EventId: `id-${index}` })),
  }));
});

describe('the entry events publisher', () => {
  it('publishes EntryTagged with the text, tags and provenance when an entry becomes done', async () => {
    // Arrange
    const pending = entryItem('user-a', ENTRY_A, [], { revision: 2, entry: 'Django und Elasticsearch' });
    const done = entryItem('user-a', ENTRY_A, ['Django', 'Elasticsearch'], { ...TAGGED, entry: 'Django und Elasticsearch' });

    // Act
    const result = await publisher().handle(streamRecord({ oldItem: pending, newItem: done }));

    // Assert
    expect(result).toEqual({ batchItemFailures: [] });
    const [entry] = published();
    expect(entry).toMatchObject({ EventBusName: 'devlog-tags-test', Source: 'devlog-tags', DetailType: 'EntryTagged' });
    expect(JSON.parse(entry?.Detail ?? '{}')).toEqual({
      version: 1,
      ownerId: 'user-a',
      entryId: ENTRY_A,
      revision: 2,
      tags: [
        { type: 'tech-stack', value: 'Django' },
        { type: 'tech-stack', value: 'Elasticsearch' },
      ],
      model: 'gpt-6-luna',
      promptVersion: 3,
      extractorVersion: '1.2.0',
      occurredAt: TAGGED.updatedAt,
      text: 'Django und Elasticsearch',
    });
  });

  it.each<[string, Record<string, unknown> | undefined, Record<string, unknown> | undefined, EntryEventDetailType | undefined]>([
    [
      'tags changed while done',
      entryItem('user-a', ENTRY_A, ['Django'], TAGGED),
      entryItem('user-a', ENTRY_A, ['Django', 'Vue'], TAGGED),
      'EntryTagged',
    ],
    [
      'became failed',
      entryItem('user-a', ENTRY_A, []),
      entryItem('user-a', ENTRY_A, [], { status: 'failed', error: 'rate limited', updatedAt: TAGGED.updatedAt }),
      'EntryTaggingFailed',
    ],
    ['was deleted', entryItem('user-a', ENTRY_A, ['Django'], TAGGED), undefined, 'EntryDeleted'],
    ['was created (pending)', undefined, entryItem('user-a', ENTRY_A, []), undefined],
    [
      'stayed done with the same tags (a status-free write)',
      entryItem('user-a', ENTRY_A, ['Django'], TAGGED),
      entryItem('user-a', ENTRY_A, ['Django'], { ...TAGGED, updatedAt: '2026-12-02T00:00:00.000Z' }),
      undefined,
    ],
    ['was an idempotency key, not an entry', undefined, { pk: 'OWNER#user-a', sk: 'IDEMPOTENCY#k1', id: 'k1' }, undefined],
  ])('an entry that %s: %s', async (_name, oldItem, newItem, detailType) => {
    // Act
    await publisher().handle(streamRecord({ ...(oldItem ? { oldItem } : {}), ...(newItem ? { newItem } : {}) }));

    // Assert
    const entries = published();
    expect(entries.map((entry) => entry.DetailType)).toEqual(detailType ? [detailType] : []);
    if (detailType) expect(ENTRY_EVENT_SCHEMAS[detailType][1].safeParse(JSON.parse(entries[0]?.Detail ?? '')).success).toBe(true);
  });

  it('a deleted entry: its last tags and revision, never its text', async () => {
    await publisher().handle(streamRecord({ oldItem: entryItem('user-a', ENTRY_A, ['Django'], { ...TAGGED, entry: 'private' }) }));

    const detail = JSON.parse(published()[0]?.Detail ?? '{}');
    expect(detail).toMatchObject({ entryId: ENTRY_A, revision: 2, tags: [{ type: 'tech-stack', value: 'Django' }] });
    expect(JSON.stringify(detail)).not.toContain('private');
  });

  it('a redelivered record yields the same detail, so consumers can dedupe it', async () => {
    const record = streamRecord({ oldItem: entryItem('user-a', ENTRY_A, []), newItem: entryItem('user-a', ENTRY_A, ['Go'], TAGGED) });

    await publisher().handle(record);
    await publisher().handle(record);

    const [first, second] = published();
    expect(second?.Detail).toBe(first?.Detail);
    expect(second?.Time).toEqual(first?.Time);
  });

  it('retries from the first record whose event the bus refused, and not from earlier ones', async () => {
    // Arrange
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'id-0' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    const first = streamRecord({
      oldItem: entryItem('user-a', ENTRY_A, []),
      newItem: entryItem('user-a', ENTRY_A, ['Go'], TAGGED),
      sequenceNumber: '000000000000000000101',
    });
    const second = streamRecord({
      oldItem: entryItem('user-b', ENTRY_B, []),
      newItem: entryItem('user-b', ENTRY_B, ['Rust'], TAGGED),
      sequenceNumber: '000000000000000000102',
    });

    // Act
    const result = await publisher().handle(first, second);

    // Assert
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '000000000000000000102' }] });
  });

  it('retries the whole batch when EventBridge cannot be reached', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('socket hang up'));
    const record = streamRecord({
      oldItem: entryItem('user-a', ENTRY_A, []),
      newItem: entryItem('user-a', ENTRY_A, ['Go'], TAGGED),
      sequenceNumber: '000000000000000000201',
    });

    expect(await publisher().handle(record)).toEqual({ batchItemFailures: [{ itemIdentifier: '000000000000000000201' }] });
  });

  it('sends at most 10 events per PutEvents call', async () => {
    const records = Array.from({ length: 23 }, (_unused, index) =>
      streamRecord({ oldItem: entryItem(`user-${index}`, ENTRY_A, []), newItem: entryItem(`user-${index}`, ENTRY_A, ['Go'], TAGGED) }),
    );

    await publisher().handle(...records);

    expect(eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
  });

  it('skips, with an error log, an entry that breaks the event contract (a retry cannot mend it)', async () => {
    const { handle, lines } = publisher();

    const result = await handle(
      streamRecord({ oldItem: entryItem('user-a', 'not-a-ulid', []), newItem: entryItem('user-a', 'not-a-ulid', ['Go'], TAGGED) }),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(published()).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'skipped a stream record whose entry breaks the event contract' }),
    );
  });
});

describe('the filter of the local stream stand-in (the event source mapping filter patterns)', () => {
  it.each([
    ['a removed entry', streamRecord({ oldItem: entryItem('user-a', ENTRY_A, []) }), true],
    [
      'an entry become done',
      streamRecord({ oldItem: entryItem('user-a', ENTRY_A, []), newItem: entryItem('user-a', ENTRY_A, ['Go'], TAGGED) }),
      true,
    ],
    ['an entry become failed', streamRecord({ newItem: entryItem('user-a', ENTRY_A, [], { status: 'failed' }) }), true],
    ['a pending entry', streamRecord({ newItem: entryItem('user-a', ENTRY_A, []) }), false],
    ['an idempotency key, even removed', streamRecord({ oldItem: { pk: 'OWNER#user-a', sk: 'IDEMPOTENCY#k', status: 'done' } }), false],
  ])('passes %s: %s', (_name, record, passes) => {
    expect(matchesEntryEventsFilter(record as never)).toBe(passes);
  });
});
