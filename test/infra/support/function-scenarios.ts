import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbEntryStore } from '../../../lambdas/devlog-api/adapters/dynamodb-entry-store.js';
import { DynamoDbIdempotencyStore, IN_PROGRESS_TIMEOUT_MS } from '../../../lambdas/devlog-api/adapters/dynamodb-idempotency-store.js';
import { DynamoDbPendingEntries } from '../../../lambdas/devlog-api/adapters/dynamodb-pending-entries.js';
import { sameCheckoutJobMessageVersion } from '../../../lambdas/devlog-api/adapters/consumer-versions.js';
import { SqsJobQueue } from '../../../lambdas/devlog-api/adapters/sqs-job-queue.js';
import { DynamoDbEntryTagSource } from '../../../lambdas/devlog-api/adapters/dynamodb-entry-tag-source.js';
import { DynamoDbTagAggregates } from '../../../lambdas/devlog-api/adapters/dynamodb-tag-aggregates.js';
import { DynamoDbTagReads } from '../../../lambdas/devlog-api/adapters/dynamodb-tag-reads.js';
import { readTechStack, syncEntryTags } from '../../../lambdas/devlog-api/domain/sync-entry-tags.js';
import { DynamoDbQuotaCounter } from '../../../lambdas/devlog-api/adapters/dynamodb-quota-counter.js';
import { DynamoDbWaitSlots } from '../../../lambdas/devlog-api/adapters/dynamodb-wait-slots.js';
import { createEntry, type CreateEntryDeps } from '../../../lambdas/devlog-api/domain/create-entry.js';
import { deleteEntry } from '../../../lambdas/devlog-api/domain/delete-entry.js';
import { editEntry } from '../../../lambdas/devlog-api/domain/edit-entry.js';
import { listEntriesByTag } from '../../../lambdas/devlog-api/domain/list-entries-by-tag.js';
import { DailyEntryQuota } from '../../../lambdas/devlog-api/domain/daily-quota.js';
import { getEntry, listEntries } from '../../../lambdas/devlog-api/domain/read-entries.js';
import { reconcilePending } from '../../../lambdas/devlog-api/domain/reconcile-pending.js';
import { entryKey, jobMessageFor, PENDING_BUCKET, QUEUE_SETTINGS } from '../../../lambdas/contract/index.js';
import { DynamoDbEntryTagStore } from '../../../lambdas/tag-extraction/adapters/dynamodb-entry-tag-store.js';
import { SqsRetryScheduler } from '../../../lambdas/tag-extraction/adapters/sqs-retry-scheduler.js';
import { PermanentError, RateLimitCircuitOpenError, RetryableError } from '../../../lambdas/tag-extraction/domain/errors.js';
import type { TagExtractor } from '../../../lambdas/tag-extraction/domain/ports.js';
import { processJobRecord, type RecordProcessorDeps } from '../../../lambdas/tag-extraction/process-record.js';
import type { PolicyFunction } from '../../../local/iam/resources.js';
import { sqsRecord } from '../../unit/support/sqs-records.js';
import { putEntryItem } from '../../support/entry-items.js';
import type { InjectedFailure } from './captured-commands.js';

/** What a scenario gets: capturing clients, where the resources are, and a clock it may move. */
export interface ScenarioContext {
  documents: DynamoDBDocumentClient;
  sqs: SQSClient;
  tableName: string;
  /** The aggregator's tags table. */
  tagsTableName: string;
  queueUrl: string;
  clock: { now(): Date; advance(ms: number): void };
  failNext(failure: InjectedFailure): void;
  /** Wraps an adapter so the test sees which of its methods the scenarios reached. */
  track<T extends object>(adapter: T): T;
  /** A client outside the capture, to arrange data the function itself would not write. */
  arrange: DynamoDBDocumentClient;
}

/** One use case of a function, run with the function's real adapters. */
export interface FunctionScenario {
  name: string;
  run(context: ScenarioContext): Promise<void>;
}

/**
 * The adapters each function's handler wires up. The test fails when an adapter file under
 * lambdas/ is listed under no function, or when no scenario reaches one of its methods: a new
 * command cannot slip past the permissions check.
 */
export const FUNCTION_ADAPTERS: Record<PolicyFunction, (new (...args: never[]) => object)[]> = {
  api: [DynamoDbEntryStore, DynamoDbIdempotencyStore, SqsJobQueue, DynamoDbTagReads, DynamoDbQuotaCounter, DynamoDbWaitSlots],
  reconciler: [DynamoDbPendingEntries, SqsJobQueue],
  extraction: [DynamoDbEntryTagStore, SqsRetryScheduler],
  aggregator: [DynamoDbEntryTagSource, DynamoDbTagAggregates],
};

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

function apiDeps(context: ScenarioContext, dailyEntryQuota = 100): CreateEntryDeps {
  let next = 0;
  return {
    quota: new DailyEntryQuota(
      context.track(new DynamoDbQuotaCounter(context.documents, context.tableName)),
      dailyEntryQuota,
      context.clock,
    ),
    entries: context.track(new DynamoDbEntryStore(context.documents, context.tableName)),
    jobs: context.track(new SqsJobQueue(context.sqs, context.queueUrl, context.clock, sameCheckoutJobMessageVersion)),
    idempotency: context.track(new DynamoDbIdempotencyStore(context.documents, context.tableName, context.clock)),
    clock: context.clock,
    newId: () => `01JDQ8Z6X4M1V9T3K7N2P5${String(next++).padStart(4, '0')}`,
    logger: silentLogger,
  };
}

/** The extraction's record processor on the context's tracked clients, with the given extractor. */
function extractionDeps(context: ScenarioContext, extractor: TagExtractor): RecordProcessorDeps {
  return {
    store: context.track(new DynamoDbEntryTagStore(context.documents, context.tableName)),
    extractor,
    retries: context.track(new SqsRetryScheduler(context.sqs, context.queueUrl)),
    now: () => context.clock.now(),
    promptVersion: 1,
    extractorVersion: '1.1.0',
    backoff: { baseSeconds: 1, maxSeconds: 10 },
    logger: silentLogger,
    metrics: { addMetric: () => undefined as never },
  };
}

/** Creates an entry through the use case and returns the id its 202 answer names. */
async function createdId(deps: CreateEntryDeps, command: Parameters<typeof createEntry>[1]): Promise<string> {
  const created = await createEntry(deps, command);
  return (created as { response: { body: { id: string } } }).response.body.id;
}

/** Puts user-e's pending "Used Django" entries (with `extra` attributes) into the table, past the functions under test. */
async function putPendingEntries(context: ScenarioContext, ids: string[], extra: Record<string, unknown> = {}): Promise<void> {
  for (const id of ids) {
    await putEntryItem(context.arrange, context.tableName, {
      id,
      ownerId: 'user-e',
      entry: 'Used Django',
      status: 'pending',
      pendingBucket: PENDING_BUCKET,
      ...extra,
    });
  }
}

const serverError = () =>
  new DynamoDBServiceException({
    name: 'InternalServerError',
    $fault: 'server',
    $metadata: { httpStatusCode: 500, attempts: 1 },
    message: 'injected',
  });

const isEntryPut = (input: Record<string, unknown>) => String((input.Item as { sk?: unknown } | undefined)?.sk).startsWith('ENTRY#');
const isEntryUpdate = (input: Record<string, unknown>) => String((input.Key as { sk?: unknown } | undefined)?.sk).startsWith('ENTRY#');
const isIdempotencyUpdate = (input: Record<string, unknown>) =>
  String((input.Key as { sk?: unknown } | undefined)?.sk).startsWith('IDEMPOTENCY#');

/**
 * The use cases of every function, each run with that function's adapters. Add one here when a
 * use case or an adapter method is added; the permissions test then checks what it sends.
 */
export const FUNCTION_SCENARIOS: Record<PolicyFunction, FunctionScenario[]> = {
  api: [
    {
      name: 'POST without an Idempotency-Key, then GET it and list the entries page by page',
      async run(context) {
        const deps = apiDeps(context);
        const id = await createdId(deps, { ownerId: 'user-a', entry: 'Used Django' });
        await createEntry(deps, { ownerId: 'user-a', entry: 'Used Flask' });
        await getEntry(deps.entries, 'user-a', id);
        const page = await listEntries(deps.entries, 'user-a', 1);
        await listEntries(deps.entries, 'user-a', 1, page.lastId);
      },
    },
    {
      name: 'POST with a key, its replay, and a retry of an abandoned claim',
      async run(context) {
        const deps = apiDeps(context);
        const command = { ownerId: 'user-b', entry: 'Used Kafka', idempotencyKey: 'key-1' };
        await createEntry(deps, command);
        await createEntry(deps, command);
        context.failNext({ operation: 'UpdateItem', when: 'instead', error: serverError(), matches: isIdempotencyUpdate });
        await createEntry(deps, { ...command, idempotencyKey: 'key-2' }).catch(() => undefined);
        context.clock.advance(IN_PROGRESS_TIMEOUT_MS + 1);
        await createEntry(deps, { ...command, idempotencyKey: 'key-2' });
      },
    },
    {
      name: 'POST whose put commits but answers an error, and one whose put and read-back both fail',
      async run(context) {
        const deps = apiDeps(context);
        context.failNext({ operation: 'PutItem', when: 'after-commit', error: serverError(), matches: isEntryPut });
        await createEntry(deps, { ownerId: 'user-c', entry: 'Used Go', idempotencyKey: 'key-1' });
        context.failNext({ operation: 'PutItem', when: 'instead', error: serverError(), matches: isEntryPut });
        context.failNext({ operation: 'GetItem', when: 'instead', error: serverError() });
        await createEntry(deps, { ownerId: 'user-c', entry: 'Used Go', idempotencyKey: 'key-2' }).catch(() => undefined);
      },
    },
    {
      name: 'POST whose put DynamoDB rejects (too large), so the claim is released',
      async run(context) {
        const deps = apiDeps(context);
        await createEntry(deps, { ownerId: 'user-d', entry: 'x'.repeat(410_000), idempotencyKey: 'key-1' }).catch(() => undefined);
      },
    },
    {
      name: 'PATCH an entry twice, an edit that loses the race to another, and one of a missing entry',
      async run(context) {
        const deps = apiDeps(context);
        const id = await createdId(deps, { ownerId: 'user-p', entry: 'Used Django' });
        await editEntry(deps, { ownerId: 'user-p', id, entry: 'Used Rust' });
        await editEntry(deps, { ownerId: 'user-p', id, entry: 'Used Rust and Go' });
        const entries = deps.entries;
        await entries.replaceText({ ownerId: 'user-p', id, entry: 'stale edit', expectedRevision: 1, at: context.clock.now() });
        await editEntry(deps, { ownerId: 'user-p', id: '01JDQ8Z6X4M1V9T3K7N2P5ZZZZ', entry: 'nothing here' });
        // A write that fails without storing the edit gives its quota entry back.
        context.failNext({ operation: 'UpdateItem', when: 'instead', error: serverError(), matches: isEntryUpdate });
        await editEntry(deps, { ownerId: 'user-p', id, entry: 'Used Zig' }).catch(() => undefined);
      },
    },
    {
      name: 'DELETE with an If-Match of an old revision, then of the current one',
      async run(context) {
        const deps = apiDeps(context);
        const id = await createdId(deps, { ownerId: 'user-m', entry: 'Used Django' });
        await editEntry(deps, { ownerId: 'user-m', id, entry: 'Used Rust' });
        await deleteEntry(deps, 'user-m', id, [1]);
        await deleteEntry(deps, 'user-m', id, [2]);
      },
    },
    {
      name: 'GET with Prefer: wait takes a wait slot, is refused one over the cap, and frees it',
      async run(context) {
        const waits = context.track(new DynamoDbWaitSlots(context.documents, context.tableName, context.clock, 1));
        const until = new Date(context.clock.now().getTime() + 27_500);
        const lease = await waits.acquire('user-w', until);
        await waits.acquire('user-w', until);
        await lease?.release();
      },
    },
    {
      name: 'DELETE an entry created with an Idempotency-Key, one without, and a missing one',
      async run(context) {
        const deps = apiDeps(context);
        const ids: string[] = [];
        for (const idempotencyKey of ['delete-key', undefined]) {
          ids.push(await createdId(deps, { ownerId: 'user-x', entry: 'Used Django', idempotencyKey }));
        }
        for (const id of ids) await deleteEntry(deps, 'user-x', id);
        await deleteEntry(deps, 'user-x', ids[0]!);
      },
    },
    {
      name: 'GET /logs?tag= pages through the tag index and reads each listed entry',
      async run(context) {
        const deps = apiDeps(context);
        const created = await createEntry(deps, { ownerId: 'user-t', entry: 'Used Django' });
        const entry = (created as { response: { body: { id: string; createdAt: string } } }).response.body;
        const writer = new DynamoDbTagAggregates(context.arrange, context.tagsTableName);
        for (const id of [entry.id, '01JDQ8Z6X4M1V9T3K7N2P5T999'])
          await writer.indexEntry('user-t', id, 'django', 'Django', entry.createdAt);
        const taggedEntries = context.track(new DynamoDbTagReads(context.documents, context.tagsTableName));
        const page = await listEntriesByTag({ entries: deps.entries, taggedEntries }, 'user-t', 'Django', 1);
        await listEntriesByTag({ entries: deps.entries, taggedEntries }, 'user-t', 'Django', 1, page.lastId);
      },
    },
    {
      name: 'POST over the daily quota, its key released, and a replay that reads where the caller stands',
      async run(context) {
        const deps = apiDeps(context, 1);
        await createEntry(deps, { ownerId: 'user-e', entry: 'Used Rust', idempotencyKey: 'key-1' });
        await createEntry(deps, { ownerId: 'user-e', entry: 'Used Rust', idempotencyKey: 'key-1' });
        await createEntry(deps, { ownerId: 'user-e', entry: 'Used Zig', idempotencyKey: 'key-2' });
      },
    },
    {
      name: "GET /me/tech-stack reads a page of the caller's index by count, and the next",
      async run(context) {
        const reads = context.track(new DynamoDbTagReads(context.documents, context.tagsTableName));
        const page = await readTechStack(reads, 'user-g', 1);
        await readTechStack(reads, 'user-g', 1, page.after);
      },
    },
  ],
  reconciler: [
    {
      name: 're-sends the job of a stale pending entry and skips one that finished meanwhile',
      async run(context) {
        const longAgo = new Date(context.clock.now().getTime() - 3_600_000).toISOString();
        for (const [id, status] of [
          ['01JDQ8Z6X4M1V9T3K7N2P5R000', 'pending'],
          ['01JDQ8Z6X4M1V9T3K7N2P5R001', 'done'],
        ] as const) {
          await putEntryItem(context.arrange, context.tableName, {
            id,
            ownerId: 'user-r',
            status,
            pendingBucket: PENDING_BUCKET,
            enqueuedAt: longAgo,
          });
        }
        await reconcilePending(
          {
            pending: context.track(new DynamoDbPendingEntries(context.documents, context.tableName)),
            jobs: context.track(new SqsJobQueue(context.sqs, context.queueUrl, context.clock, sameCheckoutJobMessageVersion)),
            clock: context.clock,
            logger: silentLogger,
          },
          { graceSeconds: 900, maxEntriesPerRun: 10, pageSize: 1 },
        );
      },
    },
  ],
  extraction: [
    {
      name: 'tags a pending entry, skips a done one, retries, gives up on the last receive, defers when the circuit is open',
      async run(context) {
        const ids = [
          '01JDQ8Z6X4M1V9T3K7N2P5E000',
          '01JDQ8Z6X4M1V9T3K7N2P5E001',
          '01JDQ8Z6X4M1V9T3K7N2P5E002',
          '01JDQ8Z6X4M1V9T3K7N2P5E003',
        ];
        await putPendingEntries(context, ids);
        const answers: (Error | undefined)[] = [];
        const extractor: TagExtractor = {
          async extract() {
            const failure = answers.shift();
            if (failure) throw failure;
            return { tags: ['Django'], model: 'fake-model' };
          },
        };
        const deps = extractionDeps(context, extractor);
        const job = (id: string, receiveCount = 1) =>
          sqsRecord(JSON.stringify(jobMessageFor({ id, ownerId: 'user-e' }, context.clock.now())), { messageId: id, receiveCount });
        const settle = (promise: Promise<void>) => promise.catch(() => undefined);
        await processJobRecord(job(ids[0]!), deps);
        await processJobRecord(job(ids[0]!), deps);
        answers.push(new RetryableError('HTTP 503'));
        await settle(processJobRecord(job(ids[1]!), deps));
        answers.push(new RetryableError('HTTP 503'));
        await settle(processJobRecord(job(ids[2]!, QUEUE_SETTINGS.maxReceiveCount), deps));
        answers.push(new RateLimitCircuitOpenError(30));
        await settle(processJobRecord(job(ids[3]!), deps));
        await settle(processJobRecord(sqsRecord('not a job', { messageId: 'bad' }), deps));
      },
    },
    {
      name: 'tags an edited entry from its revision, skips an older revision, and acknowledges a job that fails after a deletion',
      async run(context) {
        const [edited, deleted] = ['01JDQ8Z6X4M1V9T3K7N2P5E100', '01JDQ8Z6X4M1V9T3K7N2P5E101'];
        await putPendingEntries(context, [edited, deleted], { revision: 2 });
        let deleteWhileAnswering = false;
        const extractor: TagExtractor = {
          async extract() {
            if (!deleteWhileAnswering) return { tags: ['Django'], model: 'fake-model' };
            await context.arrange.send(new DeleteCommand({ TableName: context.tableName, Key: entryKey('user-e', deleted) }));
            throw new PermanentError('rejected');
          },
        };
        const deps = extractionDeps(context, extractor);
        const job = (id: string, revision: number) =>
          sqsRecord(JSON.stringify(jobMessageFor({ id, ownerId: 'user-e', revision }, context.clock.now(), 2)), {
            messageId: `${id}-${revision}`,
          });
        await processJobRecord(job(edited, 1), deps);
        await processJobRecord(job(edited, 2), deps);
        deleteWhileAnswering = true;
        await processJobRecord(job(deleted, 2), deps);
      },
    },
  ],
  aggregator: [
    {
      name: 'syncs entries through tagging, re-extraction, a replayed record and the deletion of the oldest',
      async run(context) {
        const [id, other] = ['01JDQ8Z6X4M1V9T3K7N2P5G000', '01JDQ8Z6X4M1V9T3K7N2P5G001'];
        const put = (entryId: string, tags: string[]) =>
          putEntryItem(context.arrange, context.tableName, {
            id: entryId,
            ownerId: 'user-g',
            entry: 'Used Django and Redis',
            status: 'done',
            createdAt: '2026-11-23T10:00:00.000Z',
            tags: tags.map((value) => ({ type: 'tech-stack', value })),
          });
        const deps = {
          entries: context.track(new DynamoDbEntryTagSource(context.documents, context.tableName)),
          aggregates: context.track(new DynamoDbTagAggregates(context.documents, context.tagsTableName)),
        };
        await put(id, ['Django']);
        await syncEntryTags(deps, 'user-g', id);
        await put(other, ['Django']);
        await syncEntryTags(deps, 'user-g', other);
        await put(id, ['Django', 'Redis']);
        await syncEntryTags(deps, 'user-g', id);
        await syncEntryTags(deps, 'user-g', id);
        await context.arrange.send(new DeleteCommand({ TableName: context.tableName, Key: entryKey('user-g', id) }));
        await syncEntryTags(deps, 'user-g', id);
      },
    },
  ],
};
