import { describe, expect, it, vi } from 'vitest';
import { ACCEPTED_JOB_MESSAGE_VERSIONS, jobMessageFor, QUEUE_SETTINGS } from '../../../lambdas/contract/index.js';
import { INVALID_JOB_MESSAGE_BODIES, JOB_MESSAGE_FIXTURES, VALID_JOB_MESSAGE } from '../../../lambdas/contract/fixtures/index.js';
import {
  AnswerTruncatedError,
  DeadlineExceededError,
  PermanentError,
  RateLimitCircuitOpenError,
  RetryableError,
} from '../../../lambdas/tag-extraction/domain/errors.js';
import type { RawExtraction } from '../../../lambdas/tag-extraction/domain/ports.js';
import { processJobRecord, type RecordProcessorDeps } from '../../../lambdas/tag-extraction/process-record.js';
import { EXTRACTION_TIME, fakeExtractor, InMemoryEntryTagStore } from '../support/fake-extraction-ports.js';
import { sqsRecord } from '../support/sqs-records.js';

const { ownerId: OWNER, entryId: ENTRY_ID } = VALID_JOB_MESSAGE;
const TEXT = 'Heute Django und Elasticsearch auf ImaginaryNoneExistence Cloud.';
const BACKOFF = { baseSeconds: 10, maxSeconds: 900 };

function setup(
  answer: RawExtraction | Error = {
    tags: ['Django', 'Elasticsearch', 'Kubernetes'],
    model: 'gpt-4o-mini',
    usage: { inputTokens: 300, outputTokens: 20 },
    latencyMs: 812,
  },
) {
  const store = new InMemoryEntryTagStore();
  store.put(OWNER, ENTRY_ID, { entry: TEXT, status: 'pending' });
  const retries = {
    retryAfter: vi.fn(async (_receiptHandle: string, _delaySeconds: number) => undefined),
    resendLater: vi.fn(async (_body: string, _delaySeconds: number) => undefined),
  };
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const metrics = { addMetric: vi.fn() };
  const deps: RecordProcessorDeps = {
    store,
    extractor: fakeExtractor(answer),
    now: () => EXTRACTION_TIME,
    promptVersion: 1,
    extractorVersion: '1.1.0',
    retries,
    backoff: BACKOFF,
    logger,
    metrics,
  };
  return { deps, store, retries, logger, metrics };
}

function jobRecord(receiveCount = 1) {
  return sqsRecord(JSON.stringify(VALID_JOB_MESSAGE), { messageId: 'm-1', receiveCount });
}

function metricValue(metrics: { addMetric: ReturnType<typeof vi.fn> }, name: string): number | undefined {
  return metrics.addMetric.mock.calls.find((call) => call[0] === name)?.[2] as number | undefined;
}

describe('processJobRecord', () => {
  it.each(ACCEPTED_JOB_MESSAGE_VERSIONS)('tags the entry of a job in contract version %i', async (version) => {
    // Arrange
    const { deps, store, retries } = setup();
    const fixture = JOB_MESSAGE_FIXTURES[version];
    store.put(OWNER, ENTRY_ID, { entry: TEXT, status: 'pending', revision: 'revision' in fixture ? fixture.revision : 1 });
    const record = sqsRecord(JSON.stringify(fixture), { messageId: 'm-1' });

    // Act
    await processJobRecord(record, deps);

    // Assert
    expect(store.stored(OWNER, ENTRY_ID)).toMatchObject({ status: 'done', tags: ['Django', 'Elasticsearch'] });
    expect(retries.retryAfter).not.toHaveBeenCalled();
  });

  it('tags the entry, logs how many it kept and dropped (what, at DEBUG only), and counts it', async () => {
    // Arrange
    const { deps, store, retries, logger, metrics } = setup();

    // Act
    await processJobRecord(jobRecord(), deps);

    // Assert
    expect(store.stored(OWNER, ENTRY_ID)).toMatchObject({ status: 'done', tags: ['Django', 'Elasticsearch'] });
    expect(retries.retryAfter).not.toHaveBeenCalled();
    expect(logger.info).toHaveBeenCalledWith('entry tagged', {
      entryId: ENTRY_ID,
      version: 1,
      revision: 1,
      messageId: 'm-1',
      receiveCount: 1,
      tagCount: 2,
      droppedCount: 1,
      droppedByReason: { ungrounded: 1 },
    });
    expect(logger.debug).toHaveBeenCalledWith(
      'entry tagged: tags kept and dropped',
      expect.objectContaining({
        tags: ['Django', 'Elasticsearch'],
        dropped: [{ candidate: 'Kubernetes', reason: 'ungrounded' }],
      }),
    );
    expect(metricValue(metrics, 'EntriesTagged')).toBe(1);
    expect(metricValue(metrics, 'TagsProposed')).toBe(3);
    expect(metricValue(metrics, 'UngroundedTagsDropped')).toBe(1);
    expect(metricValue(metrics, 'InputTokens')).toBe(300);
    expect(metricValue(metrics, 'OutputTokens')).toBe(20);
    expect(metrics.addMetric).toHaveBeenCalledWith('ModelLatency', 'Milliseconds', 812);
  });

  it('acknowledges a duplicate delivery of a done entry and counts it', async () => {
    // Arrange
    const { deps, store, retries, metrics } = setup();
    store.put(OWNER, ENTRY_ID, { entry: TEXT, status: 'done', promptVersion: 1 });

    // Act
    await processJobRecord(jobRecord(2), deps);

    // Assert
    expect(deps.extractor.extract).not.toHaveBeenCalled();
    expect(retries.retryAfter).not.toHaveBeenCalled();
    expect(metricValue(metrics, 'EntriesAlreadyDone')).toBe(1);
  });

  it('acknowledges a job whose entry was deleted', async () => {
    // Arrange
    const { deps, store, metrics, logger } = setup();
    store.entries.clear();

    // Act
    await processJobRecord(jobRecord(), deps);

    // Assert
    expect(metricValue(metrics, 'EntriesMissing')).toBe(1);
    expect(logger.info).toHaveBeenCalledWith('entry entry-missing', expect.objectContaining({ entryId: ENTRY_ID }));
  });

  it('acknowledges the job of an older revision without calling the model, and counts it', async () => {
    // Arrange: the entry was edited twice since this job of revision 1 was sent
    const { deps, store, retries, logger, metrics } = setup();
    store.put(OWNER, ENTRY_ID, { entry: 'The new text about Rust.', status: 'pending', revision: 3 });
    const record = sqsRecord(JSON.stringify(jobMessageFor({ id: ENTRY_ID, ownerId: OWNER, revision: 1 }, EXTRACTION_TIME, 2)), {
      messageId: 'm-1',
    });

    // Act
    await processJobRecord(record, deps);

    // Assert
    expect(deps.extractor.extract).not.toHaveBeenCalled();
    expect(retries.retryAfter).not.toHaveBeenCalled();
    expect(store.stored(OWNER, ENTRY_ID)).toEqual({ entry: 'The new text about Rust.', status: 'pending', revision: 3 });
    expect(metricValue(metrics, 'EntriesSuperseded')).toBe(1);
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringContaining('superseded'),
      expect.objectContaining({ revision: 1, currentRevision: 3 }),
    );
  });

  it('tags the current text of an entry edited since its version 1 job was sent (version 1 predates edits)', async () => {
    // Arrange: a producer that knows of no consumer accepting version 2 sent the edit's job as version 1
    const { deps, store, retries, logger } = setup();
    store.put(OWNER, ENTRY_ID, { entry: 'Edited: Django on Elasticsearch now.', status: 'pending', revision: 2 });

    // Act
    await processJobRecord(jobRecord(), deps);

    // Assert
    expect(deps.extractor.extract).toHaveBeenCalledWith('Edited: Django on Elasticsearch now.', expect.anything());
    expect(store.stored(OWNER, ENTRY_ID)).toMatchObject({ status: 'done', revision: 2, tags: ['Django', 'Elasticsearch'] });
    expect(retries.retryAfter).not.toHaveBeenCalled();
    expect(logger.info).toHaveBeenCalledWith('entry tagged', expect.objectContaining({ version: 1, revision: 2 }));
  });

  it('leaves a version 1 job whose entry cannot be read on its last receive pending for the reconciler, not failed', async () => {
    // Arrange: the read fails on every receive, so the job never learns the revision it is for
    const { deps, store, retries, logger } = setup();
    vi.spyOn(store, 'get').mockRejectedValue(new RetryableError('DynamoDB timed out'));

    // Act
    const attempt = processJobRecord(jobRecord(QUEUE_SETTINGS.maxReceiveCount), deps);

    // Assert
    await expect(attempt).rejects.toBeInstanceOf(RetryableError);
    expect(store.stored(OWNER, ENTRY_ID)).toMatchObject({ status: 'pending' });
    expect(retries.retryAfter).toHaveBeenCalledExactlyOnceWith('receipt-m-1', 0);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('entry left pending'),
      expect.objectContaining({ entryId: ENTRY_ID }),
    );
  });

  it('writes nothing when the text is edited while the model answers, and acknowledges the job', async () => {
    // Arrange: the edit lands between the job's read (which pins this version 1 job to revision 1) and its write
    const { deps, store, retries, metrics } = setup();
    vi.mocked(deps.extractor.extract).mockImplementationOnce(async () => {
      store.put(OWNER, ENTRY_ID, { entry: 'Edited: now about Rust.', status: 'pending', revision: 2 });
      return { tags: ['Django'], model: 'gpt-4o-mini' };
    });

    // Act
    await processJobRecord(jobRecord(), deps);

    // Assert
    expect(store.stored(OWNER, ENTRY_ID)).toEqual({ entry: 'Edited: now about Rust.', status: 'pending', revision: 2 });
    expect(retries.retryAfter).not.toHaveBeenCalled();
    expect(metricValue(metrics, 'EntriesSuperseded')).toBe(1);
    expect(metricValue(metrics, 'EntriesTagged')).toBeUndefined();
  });

  it('acknowledges a job whose entry is deleted while the model answers, counting no failure', async () => {
    // Arrange
    const { deps, store, retries, metrics } = setup();
    vi.mocked(deps.extractor.extract).mockImplementationOnce(async () => {
      store.delete(OWNER, ENTRY_ID);
      return { tags: ['Django'], model: 'gpt-4o-mini' };
    });

    // Act
    await processJobRecord(jobRecord(), deps);

    // Assert
    expect(store.stored(OWNER, ENTRY_ID)).toBeUndefined();
    expect(retries.retryAfter).not.toHaveBeenCalled();
    expect(metricValue(metrics, 'EntriesMissing')).toBe(1);
  });

  it.each([
    ['deleted', 'EntriesMissing', (store: InMemoryEntryTagStore) => store.delete(OWNER, ENTRY_ID)],
    [
      'edited',
      'EntriesSuperseded',
      (store: InMemoryEntryTagStore) => store.put(OWNER, ENTRY_ID, { entry: 'Rust now.', status: 'pending', revision: 2 }),
    ],
  ])(
    'acknowledges a job that fails for good after its entry was %s: no failed mark, no DLQ, no failure counted',
    async (_change, metric, change) => {
      // Arrange: the model fails permanently, and the entry changes while it answers
      const { deps, store, retries, logger, metrics } = setup();
      vi.mocked(deps.extractor.extract).mockImplementationOnce(async () => {
        change(store);
        throw new PermanentError('OpenAI rejected the request (400): bad schema');
      });

      // Act
      await processJobRecord(jobRecord(), deps);

      // Assert
      expect(store.stored(OWNER, ENTRY_ID)?.status ?? 'gone').not.toBe('failed');
      expect(retries.retryAfter).not.toHaveBeenCalled();
      expect(metricValue(metrics, 'EntriesFailed')).toBeUndefined();
      expect(metricValue(metrics, metric)).toBe(1);
      expect(logger.error).not.toHaveBeenCalled();
    },
  );

  it('tags an edited entry from the job of its current revision', async () => {
    // Arrange
    const { deps, store } = setup();
    store.put(OWNER, ENTRY_ID, { entry: TEXT, status: 'pending', revision: 2 });
    const record = sqsRecord(JSON.stringify(jobMessageFor({ id: ENTRY_ID, ownerId: OWNER, revision: 2 }, EXTRACTION_TIME, 2)), {
      messageId: 'm-2',
    });

    // Act
    await processJobRecord(record, deps);

    // Assert
    expect(store.stored(OWNER, ENTRY_ID)).toMatchObject({ status: 'done', revision: 2, tags: ['Django', 'Elasticsearch'] });
  });

  it.each(Object.entries(INVALID_JOB_MESSAGE_BODIES))(
    'sends the invalid message "%s" on at once and reports it failed',
    async (_name, body) => {
      // Arrange
      const { deps, retries, logger, metrics } = setup();
      const record = sqsRecord(body, { messageId: 'bad-1' });

      // Act
      const attempt = processJobRecord(record, deps);

      // Assert
      await expect(attempt).rejects.toBeInstanceOf(PermanentError);
      expect(retries.retryAfter).toHaveBeenCalledExactlyOnceWith('receipt-bad-1', 0);
      expect(deps.extractor.extract).not.toHaveBeenCalled();
      expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('invalid job message'), { messageId: 'bad-1' });
      expect(metricValue(metrics, 'InvalidJobMessages')).toBe(1);
    },
  );

  it('retries a retryable failure after the backoff and reports the record failed', async () => {
    // Arrange
    const failure = new RetryableError('OpenAI answered 503');
    const { deps, store, retries, logger, metrics } = setup(failure);

    // Act
    const attempt = processJobRecord(jobRecord(2), deps);

    // Assert
    await expect(attempt).rejects.toBe(failure);
    expect(retries.retryAfter).toHaveBeenCalledOnce();
    const [receiptHandle, delaySeconds] = retries.retryAfter.mock.calls[0]!;
    expect(receiptHandle).toBe('receipt-m-1');
    expect(delaySeconds).toBeGreaterThanOrEqual(10);
    expect(delaySeconds).toBeLessThanOrEqual(20);
    expect(store.stored(OWNER, ENTRY_ID)?.status).toBe('pending');
    expect(logger.warn).toHaveBeenCalledWith(
      'extraction will be retried',
      expect.objectContaining({ entryId: ENTRY_ID, delaySeconds, error: failure }),
    );
    expect(metricValue(metrics, 'ExtractionRetries')).toBe(1);
  });

  it('waits as long as OpenAI asked before the next receive', async () => {
    // Arrange
    const { deps, retries } = setup(new RetryableError('OpenAI answered 429', 240));

    // Act
    const attempt = processJobRecord(jobRecord(1), deps);

    // Assert
    await expect(attempt).rejects.toThrow('429');
    expect(retries.retryAfter).toHaveBeenCalledExactlyOnceWith('receipt-m-1', 240);
  });

  it("keeps the entry's reconciler clock within the backoff when OpenAI asks for no longer than the backoff allows", async () => {
    // Arrange
    const { deps, store } = setup(new RetryableError('OpenAI answered 429', BACKOFF.maxSeconds));
    store.put(OWNER, ENTRY_ID, { entry: TEXT, status: 'pending', enqueuedAt: '2026-11-23T10:00:00.000Z' });

    // Act
    await processJobRecord(jobRecord(1), deps).catch(() => undefined);

    // Assert
    expect(store.stored(OWNER, ENTRY_ID)?.enqueuedAt).toBe('2026-11-23T10:00:00.000Z');
  });

  it('moves the reconciler clock to when the job is due when OpenAI asks for longer than the backoff, so it is not re-sent early', async () => {
    // Arrange: a retry-after of two hours, beyond the 900 s backoff the reconciler's grace covers
    const { deps, store, retries } = setup(new RetryableError('OpenAI answered 429', 7_200));
    store.put(OWNER, ENTRY_ID, { entry: TEXT, status: 'pending', enqueuedAt: '2026-11-23T10:00:00.000Z' });

    // Act
    const attempt = processJobRecord(jobRecord(1), deps);

    // Assert
    await expect(attempt).rejects.toThrow('429');
    expect(retries.retryAfter).toHaveBeenCalledExactlyOnceWith('receipt-m-1', 7_200);
    expect(store.stored(OWNER, ENTRY_ID)?.enqueuedAt).toBe(new Date(EXTRACTION_TIME.getTime() + 7_200_000).toISOString());
  });

  it('still schedules the long retry when the reconciler clock cannot be moved', async () => {
    // Arrange
    const { deps, store, retries, logger } = setup(new RetryableError('OpenAI answered 429', 7_200));
    vi.spyOn(store, 'postponeReconcile').mockRejectedValue(new Error('DynamoDB unavailable'));

    // Act
    await processJobRecord(jobRecord(1), deps).catch(() => undefined);

    // Assert
    expect(retries.retryAfter).toHaveBeenCalledExactlyOnceWith('receipt-m-1', 7_200);
    expect(logger.warn).toHaveBeenCalledWith(
      'could not postpone the reconciler for a long retry-after; it may re-send the job early',
      expect.objectContaining({ entryId: ENTRY_ID }),
    );
  });

  it('marks the entry failed on the last receive and lets the message reach the DLQ at once', async () => {
    // Arrange
    const failure = new RetryableError('OpenAI answered 503', undefined, { reason: 'model-unavailable' });
    const { deps, store, retries, logger, metrics } = setup(failure);

    // Act
    const attempt = processJobRecord(jobRecord(QUEUE_SETTINGS.maxReceiveCount), deps);

    // Assert
    await expect(attempt).rejects.toBe(failure);
    expect(store.stored(OWNER, ENTRY_ID)).toMatchObject({
      status: 'failed',
      error: 'model-unavailable',
      updatedAt: EXTRACTION_TIME.toISOString(),
    });
    expect(retries.retryAfter).toHaveBeenCalledExactlyOnceWith('receipt-m-1', 0);
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('failed for good'), expect.objectContaining({ entryId: ENTRY_ID }));
    expect(metricValue(metrics, 'EntriesFailed')).toBe(1);
  });

  it.each([
    [
      'an unreachable model server',
      new RetryableError('OpenAI unreachable at http://127.0.0.1:9/v1: ECONNREFUSED (connection refused)', undefined, {
        reason: 'model-unreachable',
      }),
      'model-unreachable',
    ],
    [
      'an unclassified exception',
      new Error("Cannot read properties of undefined (reading 'choices') at http://10.0.0.7/internal"),
      'extraction-failed',
    ],
  ])('stores only a stable reason code for %s; the URL and exception go to the log', async (_case, failure, code) => {
    // Arrange
    const { deps, store, logger } = setup(failure);

    // Act
    await processJobRecord(jobRecord(QUEUE_SETTINGS.maxReceiveCount), deps).catch(() => undefined);

    // Assert
    expect(store.stored(OWNER, ENTRY_ID)?.error).toBe(code);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('failed for good'),
      expect.objectContaining({ reason: code, detail: expect.stringContaining(failure.message) }),
    );
  });

  it('gives up at once on a permanent failure', async () => {
    // Arrange
    const failure = new PermanentError('OpenAI rejected the request (400): bad schema', { reason: 'model-rejected-request' });
    const { deps, store, retries } = setup(failure);

    // Act
    const attempt = processJobRecord(jobRecord(1), deps);

    // Assert
    await expect(attempt).rejects.toBe(failure);
    expect(store.stored(OWNER, ENTRY_ID)).toMatchObject({ status: 'failed', error: 'model-rejected-request' });
    expect(retries.retryAfter).toHaveBeenCalledExactlyOnceWith('receipt-m-1', 0);
  });

  it('keeps the first failure reason when a redelivery of a failed entry gives up again', async () => {
    // Arrange: the entry is marked failed already; the redelivered message must not call OpenAI
    const { deps, store, retries } = setup();
    store.put(OWNER, ENTRY_ID, { entry: TEXT, status: 'failed', error: 'earlier' });

    // Act
    const attempt = processJobRecord(jobRecord(2), deps);

    // Assert
    await expect(attempt).rejects.toBeInstanceOf(PermanentError);
    expect(deps.extractor.extract).not.toHaveBeenCalled();
    expect(store.stored(OWNER, ENTRY_ID)?.error).toBe('earlier');
    expect(retries.retryAfter).toHaveBeenCalledWith('receipt-m-1', 0);
  });

  it('counts and logs a permanent failure once, however many receives it bounces through to the DLQ', async () => {
    // Arrange
    const { deps, logger, metrics, retries } = setup(new PermanentError('OpenAI rejected the request (400): bad schema'));

    // Act: the give-up, then every redelivery SQS makes before the DLQ
    for (let receive = 1; receive <= QUEUE_SETTINGS.maxReceiveCount; receive++) {
      await expect(processJobRecord(jobRecord(receive), deps)).rejects.toBeInstanceOf(PermanentError);
    }

    // Assert
    const failedCounts = metrics.addMetric.mock.calls.filter((call) => call[0] === 'EntriesFailed');
    expect(failedCounts).toEqual([['EntriesFailed', 'Count', 1]]);
    const failedForGood = logger.error.mock.calls.filter((call) => String(call[0]).includes('failed for good'));
    expect(failedForGood).toHaveLength(1);
    expect(deps.extractor.extract).toHaveBeenCalledTimes(1);
    expect(retries.retryAfter.mock.calls.every(([, delay]) => delay === 0)).toBe(true);
  });

  describe('while the rate-limit circuit is open', () => {
    it('defers the untried job as a fresh copy, so it spends none of its receives', async () => {
      // Arrange
      const { deps, store, retries, metrics } = setup(new RateLimitCircuitOpenError(42));
      const record = jobRecord(4);

      // Act
      await processJobRecord(record, deps);

      // Assert: acknowledged (no throw), the copy carries the same body, the entry stays pending
      expect(retries.resendLater).toHaveBeenCalledExactlyOnceWith(record.body, 42);
      expect(retries.retryAfter).not.toHaveBeenCalled();
      expect(store.stored(OWNER, ENTRY_ID)?.status).toBe('pending');
      expect(metricValue(metrics, 'JobsDeferredByCircuit')).toBe(1);
    });

    it('moves the reconciler clock when the circuit defers the job beyond the backoff', async () => {
      // Arrange
      const { deps, store, retries } = setup(new RateLimitCircuitOpenError(1_800));

      // Act
      await processJobRecord(jobRecord(1), deps);

      // Assert
      expect(retries.resendLater).toHaveBeenCalledOnce();
      expect(store.stored(OWNER, ENTRY_ID)?.enqueuedAt).toBe(new Date(EXTRACTION_TIME.getTime() + 1_800_000).toISOString());
    });

    it('does not mark the entry failed on what would be its last receive', async () => {
      // Arrange
      const { deps, store } = setup(new RateLimitCircuitOpenError(5));

      // Act
      await processJobRecord(jobRecord(QUEUE_SETTINGS.maxReceiveCount), deps);

      // Assert
      expect(store.stored(OWNER, ENTRY_ID)?.status).toBe('pending');
    });

    it('falls back to an ordinary retry when the copy cannot be sent', async () => {
      // Arrange
      const open = new RateLimitCircuitOpenError(42);
      const { deps, retries, logger } = setup(open);
      retries.resendLater.mockRejectedValue(new Error('SQS unavailable'));

      // Act
      const attempt = processJobRecord(jobRecord(1), deps);

      // Assert
      await expect(attempt).rejects.toBe(open);
      expect(retries.retryAfter).toHaveBeenCalledExactlyOnceWith('receipt-m-1', 42);
      expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('could not defer'), expect.objectContaining({ messageId: 'm-1' }));
    });
  });

  describe('at the model deadline', () => {
    it('marks the entry failed with the reason on its last receive, without calling the model', async () => {
      // Arrange
      const { deps, store, retries } = setup();

      // Act
      const attempt = processJobRecord(jobRecord(QUEUE_SETTINGS.maxReceiveCount), deps, AbortSignal.abort());

      // Assert
      await expect(attempt).rejects.toBeInstanceOf(DeadlineExceededError);
      expect(deps.extractor.extract).not.toHaveBeenCalled();
      expect(store.stored(OWNER, ENTRY_ID)).toMatchObject({
        status: 'failed',
        error: 'model-timeout',
      });
      expect(retries.retryAfter).toHaveBeenCalledExactlyOnceWith('receipt-m-1', 0);
    });

    it('reschedules an earlier receive with the backoff and counts the deadline', async () => {
      // Arrange
      const { deps, store, retries, metrics } = setup(new DeadlineExceededError('the OpenAI call was stopped at the record deadline'));

      // Act
      const attempt = processJobRecord(jobRecord(1), deps, new AbortController().signal);

      // Assert
      await expect(attempt).rejects.toBeInstanceOf(DeadlineExceededError);
      expect(store.stored(OWNER, ENTRY_ID)?.status).toBe('pending');
      expect(retries.retryAfter).toHaveBeenCalledExactlyOnceWith('receipt-m-1', expect.any(Number));
      expect(metricValue(metrics, 'RecordDeadlinesPassed')).toBe(1);
    });

    it('passes the deadline to the model call', async () => {
      // Arrange
      const { deps } = setup();
      const signal = new AbortController().signal;

      // Act
      await processJobRecord(jobRecord(1), deps, signal);

      // Assert
      expect(deps.extractor.extract).toHaveBeenCalledWith(TEXT, { signal });
    });
  });

  it('marks a truncated answer failed at once and counts it as truncated', async () => {
    // Arrange
    const { deps, store, retries, metrics } = setup(new AnswerTruncatedError(1266));

    // Act
    const attempt = processJobRecord(jobRecord(1), deps);

    // Assert
    await expect(attempt).rejects.toBeInstanceOf(AnswerTruncatedError);
    expect(store.stored(OWNER, ENTRY_ID)).toMatchObject({ status: 'failed', error: 'answer-truncated' });
    expect(retries.retryAfter).toHaveBeenCalledExactlyOnceWith('receipt-m-1', 0);
    expect(metricValue(metrics, 'AnswersTruncated')).toBe(1);
  });
});
