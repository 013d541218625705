import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { entryKey } from '../../lambdas/contract/index.js';
import { DynamoDbBatchLedger } from '../../lambdas/tag-extraction/adapters/dynamodb-backfill-ledger.js';
import { DynamoDbEntryTagStore } from '../../lambdas/tag-extraction/adapters/dynamodb-entry-tag-store.js';
import { openAiBatchApi } from '../../lambdas/tag-extraction/adapters/openai-batch-api.js';
import { OpenAiTagExtractor } from '../../lambdas/tag-extraction/adapters/openai-tag-extractor.js';
import { BACKFILL_LEDGER_TABLE, type BatchLedger } from '../../lambdas/tag-extraction/backfill/batch-ledger.js';
import { collectBackfillBatches } from '../../lambdas/tag-extraction/backfill/collect-batches.js';
import { promptOfVersion } from '../../lambdas/tag-extraction/prompts.js';
import { ensureKeyedTable } from '../../local/emulators/dynamodb.js';
import { type BackfillProgress, submitBackfill } from '../../ops/backfill-entries.js';
import { type ModelServer, startModelServer } from '../../tools/tag-extraction/model-server/index.js';
import { HALLUCINATED_TECHNOLOGY, testEntries, vocabularyAnswer } from '../support/entries.js';
import { startTestEmulators, type TestEmulators } from './support/emulators.js';

const MODEL = 'gpt-6-luna';
const SETTINGS = { model: MODEL, reasoningEffort: 'low' as const, promptVersion: 1 };
let emulators: TestEmulators;
let model: ModelServer;
let openai: OpenAI;
let ledgerTable = 0;

beforeAll(async () => {
  [emulators, model] = await Promise.all([startTestEmulators(), startModelServer({ answer: vocabularyAnswer })]);
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: model.baseUrl, maxRetries: 0 });
});
afterAll(async () => {
  await Promise.all([emulators?.stop(), model?.stop()]);
});
afterEach(() => {
  model.batches.release();
});

/** A fresh owner and ledger per test, so tests never see each other's entries or batches. */
async function arrange(count: number) {
  const run = `run${++ledgerTable}`;
  const ownerId = `owner-${run}`;
  const tableName = `ledger-${run}`;
  // Each test's entries are a day later than the last test's, and its backfill starts that day.
  const day = `2026-07-${String(10 + ledgerTable).padStart(2, '0')}`;
  await ensureKeyedTable(emulators.dynamoDb, tableName, BACKFILL_LEDGER_TABLE);
  const entries = testEntries(count, run).map((entry, index) => ({
    ...entry,
    id: `01JDQ8Z6X4M1V9T3K7N2${run.padStart(6, '0')}${String(index).padStart(4, '0')}`.slice(0, 30),
  }));
  for (const entry of entries) {
    await emulators.documents.send(
      new PutCommand({
        TableName: emulators.tableName,
        Item: {
          ...entryKey(ownerId, entry.id),
          id: entry.id,
          ownerId,
          entry: entry.text,
          status: 'done',
          tags: [],
          createdAt: `${day}T00:00:00.000Z`,
        },
      }),
    );
  }
  const ledger = new DynamoDbBatchLedger(emulators.documents, tableName);
  const ports = { api: openAiBatchApi(async () => openai), ledger, now: () => new Date() };
  const collectDeps = (overrides: { ledger?: BatchLedger } = {}) => ({
    store: new DynamoDbEntryTagStore(emulators.documents, emulators.tableName),
    ledger: overrides.ledger ?? ledger,
    api: ports.api,
    now: () => new Date(),
    extractorVersion: '9.9.9',
    outOfTime: () => false,
    applyPerSecond: 10_000,
  });
  const submit = (
    options: { requestsPerBatch?: number; startKey?: Record<string, unknown>; onCheckpoint?: (progress: BackfillProgress) => void } = {},
  ) =>
    submitBackfill(emulators.documents, ports, {
      tableName: emulators.tableName,
      since: new Date(`${day}T00:00:00Z`),
      settings: SETTINGS,
      requestsPerBatch: options.requestsPerBatch ?? 50_000,
      run,
      startKey: options.startKey,
      onCheckpoint: options.onCheckpoint ?? (() => {}),
    });
  const read = async (id: string) =>
    (await emulators.documents.send(new GetCommand({ TableName: emulators.tableName, Key: entryKey(ownerId, id), ConsistentRead: true })))
      .Item;
  return { ownerId, entries, ledger, submit, collectDeps, read };
}

describe('npm run backfill through the Batch API', () => {
  it('sends each entry the request the live extraction sends, and no job to the live queue', async () => {
    // Arrange
    const { entries, submit } = await arrange(3);
    model.clearRecording();
    await new OpenAiTagExtractor(async () => openai, MODEL, promptOfVersion(1)).extract(entries[0]!.text);
    const liveBody = model.requests[0]?.body;

    // Act
    const progress = await submit();
    await model.batches.settled();

    // Assert
    const batch = model.batches.all.find((candidate) => candidate.id === progress.batches[0]);
    expect(batch).toMatchObject({
      status: 'completed',
      endpoint: '/v1/chat/completions',
      request_counts: { total: 3, completed: 3, failed: 0 },
    });
    const input = await (await openai.files.content(batch!.input_file_id)).text();
    const lines = input
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.find((line) => line.body.messages[1].content === JSON.stringify({ entry: entries[0]!.text }))?.body).toEqual(liveBody);
    const { Messages = [] } = await emulators.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: emulators.queues.queueUrl, WaitTimeSeconds: 0 }),
    );
    expect(Messages).toEqual([]);
  });

  it('applies the answers grounded, and leaves alone entries edited, deleted or re-tagged since the request was built', async () => {
    // Arrange
    const { ownerId, entries, submit, collectDeps, read } = await arrange(6);
    model.batches.hold();
    await submit();
    const [edited, deleted, retagged] = entries;
    await emulators.documents.send(
      new UpdateCommand({
        TableName: emulators.tableName,
        Key: entryKey(ownerId, edited!.id),
        UpdateExpression: 'SET revision = :two, #entry = :text',
        ExpressionAttributeNames: { '#entry': 'entry' },
        ExpressionAttributeValues: { ':two': 2, ':text': 'Now just Rust' },
      }),
    );
    await emulators.documents.send(new DeleteCommand({ TableName: emulators.tableName, Key: entryKey(ownerId, deleted!.id) }));
    await emulators.documents.send(
      new UpdateCommand({
        TableName: emulators.tableName,
        Key: entryKey(ownerId, retagged!.id),
        UpdateExpression: 'SET promptVersion = :one, tags = :tags',
        ExpressionAttributeValues: { ':one': 1, ':tags': [{ type: 'tech-stack', value: 'live' }] },
      }),
    );

    // Act: nothing to apply while OpenAI still runs the batch, then everything
    const early = await collectBackfillBatches(collectDeps());
    model.batches.release();
    await model.batches.settled();
    const report = await collectBackfillBatches(collectDeps());

    // Assert
    expect(early.batches).toMatchObject([{ phase: 'submitted', status: 'in_progress', appliedLines: 0 }]);
    expect(report.batches).toMatchObject([{ phase: 'applied', status: 'completed', counts: { tagged: 3, leftAlone: 3, failed: 0 } }]);
    for (const entry of entries.slice(3)) {
      const item = await read(entry.id);
      expect(item).toMatchObject({ status: 'done', promptVersion: 1, extractorVersion: '9.9.9', model: MODEL });
      expect(item?.tags.map((tag: { value: string }) => tag.value)).toEqual(entry.expectedTags);
      expect(item?.tags.map((tag: { value: string }) => tag.value)).not.toContain(HALLUCINATED_TECHNOLOGY);
    }
    expect(await read(edited!.id)).toMatchObject({ revision: 2, tags: [] });
    expect(await read(deleted!.id)).toBeUndefined();
    expect(await read(retagged!.id)).toMatchObject({ tags: [{ type: 'tech-stack', value: 'live' }] });
  });

  it('resumes an apply that crashed half-way, re-applying its last chunk harmlessly', async () => {
    // Arrange: the ledger's first progress save succeeds, the second fails like a crash
    const { entries, ledger, submit, collectDeps, read } = await arrange(450);
    await submit();
    await model.batches.settled();
    let saves = 0;
    const crashing: BatchLedger = {
      ...ledger,
      open: () => ledger.open(),
      all: () => ledger.all(),
      record: (batch) => ledger.record(batch),
      update: async (batchId, change) => {
        if (++saves === 2) throw new Error('crashed');
        await ledger.update(batchId, change);
      },
    };

    // Act
    await expect(collectBackfillBatches(collectDeps({ ledger: crashing }))).rejects.toThrow('crashed');
    const resumed = await collectBackfillBatches(collectDeps());

    // Assert: lines 200-399 were applied before the crash and again after it
    expect(resumed.batches).toMatchObject([{ phase: 'applied', appliedLines: 450, counts: { tagged: 250, leftAlone: 200, failed: 0 } }]);
    const items = await Promise.all(entries.map((entry) => read(entry.id)));
    expect(items.filter((item) => item?.promptVersion === 1)).toHaveLength(450);
  });

  it('counts the requests of an expired batch as failed and leaves their entries as they were', async () => {
    // Arrange
    const { entries, submit, collectDeps, read } = await arrange(30);
    model.batches.hold();
    await submit();

    // Act
    model.batches.expire();
    await model.batches.settled();
    const report = await collectBackfillBatches(collectDeps());

    // Assert
    expect(report.batches).toMatchObject([{ phase: 'applied', status: 'expired', counts: { tagged: 0, leftAlone: 0, failed: 30 } }]);
    expect(await read(entries[0]!.id)).toMatchObject({ tags: [] });
    expect((await read(entries[0]!.id))?.promptVersion).toBeUndefined();
  });

  it('resumes a submission after the last recorded batch, without submitting an entry twice', async () => {
    // Arrange: the run stops after its first batch
    const { entries, ledger, submit } = await arrange(5);
    const checkpoints: BackfillProgress[] = [];
    await expect(
      submit({
        requestsPerBatch: 2,
        onCheckpoint: (progress) => {
          checkpoints.push(progress);
          throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');

    // Act
    await submit({ requestsPerBatch: 2, startKey: checkpoints[0]?.nextKey });
    await model.batches.settled();

    // Assert
    const batches = await ledger.all();
    expect(batches.map((batch) => batch.requests)).toEqual([2, 2, 1]);
    const submitted = await Promise.all(
      batches.map(async (batch) =>
        (await (await openai.files.content(batch.inputFileId)).text())
          .trim()
          .split('\n')
          .map((line) => JSON.parse(JSON.parse(line).custom_id)[1]),
      ),
    );
    expect(submitted.flat().sort()).toEqual(entries.map((entry) => entry.id).sort());
  });
});
