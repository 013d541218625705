import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { QUEUE_SETTINGS } from '../contract/index.js';
import {
  AnswerTruncatedError,
  DeadlineExceededError,
  EntryAlreadyFailedError,
  PermanentError,
  RateLimitCircuitOpenError,
} from './domain/errors.js';
import {
  extractEntryTags,
  pinJobTarget,
  whyUnwritten,
  type ExtractEntryTagsDeps,
  type ExtractionOutcome,
} from './domain/extract-entry-tags.js';
import { decideOnFailure, type BackoffSettings } from './domain/retry-policy.js';
import { parseJobRecord } from './job-record.js';
import type { JobTarget } from './domain/ports.js';
import { EXTRACTION_METRICS as METRICS } from './telemetry.js';

const OUTCOME_METRICS: Record<ExtractionOutcome['kind'], string> = {
  tagged: METRICS.entriesTagged,
  'already-done': METRICS.entriesAlreadyDone,
  'entry-missing': METRICS.entriesMissing,
  superseded: METRICS.entriesSuperseded,
  'lost-race': METRICS.entriesLostRace,
};

/** Schedules the next receive of a message. */
export interface RetryScheduler {
  /** The received message becomes visible again after the delay (one receive spent). */
  retryAfter(receiptHandle: string, delaySeconds: number): Promise<void>;
  /** A fresh copy of the message arrives after the delay (no receive spent). */
  resendLater(body: string, delaySeconds: number): Promise<void>;
}

/** Everything one record's processing needs. */
export interface RecordProcessorDeps extends ExtractEntryTagsDeps {
  retries: RetryScheduler;
  backoff: BackoffSettings;
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  metrics: Pick<Metrics, 'addMetric'>;
}

/**
 * Processes one SQS record: validates it against the contract, extracts the entry's tags, and
 * on failure schedules the retry (backoff through the visibility timeout) or gives up (marks the
 * entry failed and lets the message reach the DLQ at once). `signal` is the model deadline: a
 * model call still running then is stopped, and a record not started by then is not started.
 * Throws to report the record failed.
 */
export async function processJobRecord(record: SQSRecord, deps: RecordProcessorDeps, signal?: AbortSignal): Promise<void> {
  const { logger, metrics } = deps;
  const parsed = parseJobRecord(record);
  if (!parsed) {
    logger.error('invalid job message; sending it to the DLQ', { messageId: record.messageId });
    metrics.addMetric(METRICS.invalidJobMessages, MetricUnit.Count, 1);
    await deps.retries.retryAfter(record.receiptHandle, 0);
    throw new PermanentError(`message ${record.messageId} is not a valid job`);
  }
  const { job, receiveCount, receiptHandle } = parsed;
  const ref = { ownerId: job.ownerId, entryId: job.entryId, revision: parsed.revision };
  // A version 1 job has its revision only once pinned (a read of the entry), so until then the
  // target is unknown; every job of version 2 knows it from the start.
  let target: JobTarget | undefined = parsed.revision === undefined ? undefined : { ...ref, revision: parsed.revision };
  const context = { entryId: job.entryId, version: job.version, revision: parsed.revision, messageId: parsed.messageId, receiveCount };

  try {
    target ??= await pinJobTarget(deps.store, ref);
    if (target && parsed.revision === undefined) context.revision = target.revision;
    if (signal?.aborted) throw new DeadlineExceededError('the record deadline passed before the record was started');
    const outcome: ExtractionOutcome = target ? await extractEntryTags(deps, target, { signal }) : { kind: 'entry-missing' };
    metrics.addMetric(OUTCOME_METRICS[outcome.kind], MetricUnit.Count, 1);
    if (outcome.kind === 'tagged') {
      metrics.addMetric(METRICS.tagsProposed, MetricUnit.Count, outcome.tags.length + outcome.dropped.length);
      metrics.addMetric(METRICS.ungroundedTagsDropped, MetricUnit.Count, outcome.dropped.filter((d) => d.reason === 'ungrounded').length);
      if (outcome.usage) {
        metrics.addMetric(METRICS.inputTokens, MetricUnit.Count, outcome.usage.inputTokens);
        metrics.addMetric(METRICS.outputTokens, MetricUnit.Count, outcome.usage.outputTokens);
      }
      if (outcome.latencyMs !== undefined) metrics.addMetric(METRICS.modelLatency, MetricUnit.Milliseconds, outcome.latencyMs);
      // The tags and dropped candidates quote the entry text: DEBUG only; INFO gets their counts.
      logger.info('entry tagged', {
        ...context,
        tagCount: outcome.tags.length,
        droppedCount: outcome.dropped.length,
        droppedByReason: countByReason(outcome.dropped),
      });
      logger.debug('entry tagged: tags kept and dropped', { ...context, tags: outcome.tags, dropped: outcome.dropped });
    } else if (outcome.kind === 'superseded') {
      logger.info('entry superseded: edited since the job was sent; job acknowledged', {
        ...context,
        currentRevision: outcome.currentRevision,
      });
    } else {
      logger.info(`entry ${outcome.kind}`, context);
    }
  } catch (error) {
    if (error instanceof RateLimitCircuitOpenError && target && (await deferWithoutSpendingReceive(record, target, error, deps))) {
      return;
    }
    if (error instanceof EntryAlreadyFailedError) {
      // Counted and logged when it was marked failed; the message only has to reach the DLQ.
      logger.info('entry already failed; its message continues to the DLQ', context);
      await deps.retries.retryAfter(receiptHandle, 0);
      throw error;
    }
    const decision = decideOnFailure(error, receiveCount, QUEUE_SETTINGS.maxReceiveCount, deps.backoff);
    if (decision.action === 'retry') {
      logger.warn('extraction will be retried', { ...context, delaySeconds: decision.delaySeconds, error });
      metrics.addMetric(METRICS.extractionRetries, MetricUnit.Count, 1);
      if (error instanceof DeadlineExceededError) metrics.addMetric(METRICS.recordDeadlinesPassed, MetricUnit.Count, 1);
      if (target) await postponeReconcileBeyondBackoff(target, decision.delaySeconds, deps);
      await deps.retries.retryAfter(receiptHandle, decision.delaySeconds);
    } else if (!target) {
      // The entry could not even be read, so there is no revision to mark failed: it stays
      // pending, and the reconciler re-sends its job once the entry can be read again.
      logger.error('extraction failed for good before the entry was read; entry left pending, message goes to the DLQ', {
        ...context,
        reason: decision.reason,
      });
      await deps.retries.retryAfter(receiptHandle, 0);
    } else {
      if (!(await deps.store.markFailed(target, decision.reason, deps.now()))) {
        // Deleted or edited while this job ran: nothing of it is left to fail, so no DLQ either.
        const unwritten = await whyUnwritten(deps.store, target);
        if (unwritten.kind !== 'other') {
          metrics.addMetric(OUTCOME_METRICS[unwritten.kind], MetricUnit.Count, 1);
          logger.info(`entry ${unwritten.kind}; its failed job is acknowledged`, {
            ...context,
            reason: decision.reason,
            detail: decision.detail,
          });
          return;
        }
      }
      logger.error('extraction failed for good; entry marked failed, message goes to the DLQ', {
        ...context,
        reason: decision.reason,
        detail: decision.detail,
      });
      metrics.addMetric(METRICS.entriesFailed, MetricUnit.Count, 1);
      if (error instanceof AnswerTruncatedError) metrics.addMetric(METRICS.answersTruncated, MetricUnit.Count, 1);
      await deps.retries.retryAfter(receiptHandle, 0);
    }
    throw error;
  }
}

/** How many dropped candidates each reason accounts for. */
function countByReason(dropped: readonly { reason: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { reason } of dropped) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}

/**
 * The model was not called (the rate-limit circuit is open), so this receive should not count
 * towards the DLQ: send a delayed copy and acknowledge the original. If the copy cannot be
 * sent, fall back to an ordinary retry.
 */
async function deferWithoutSpendingReceive(
  record: SQSRecord,
  target: JobTarget,
  error: RateLimitCircuitOpenError,
  deps: RecordProcessorDeps,
): Promise<boolean> {
  const delaySeconds = error.retryAfterSeconds ?? deps.backoff.baseSeconds;
  try {
    await postponeReconcileBeyondBackoff(target, delaySeconds, deps);
    await deps.retries.resendLater(record.body, delaySeconds);
  } catch (sendError) {
    deps.logger.warn('could not defer the job; retrying it instead', { messageId: record.messageId, error: sendError });
    return false;
  }
  deps.metrics.addMetric(METRICS.jobsDeferredByCircuit, MetricUnit.Count, 1);
  return true;
}

/**
 * The reconciler's grace covers a job's retries as long as none waits longer than the backoff's
 * maximum (contract `reconcileGraceSeconds`). A `retry-after` may ask for longer: then the
 * entry's reconciler clock moves to when the job is due, or the reconciler would re-send it
 * early and the model would be called before the `retry-after` has passed. A failed write only
 * risks that early duplicate (which is idempotent), so it is logged and the retry goes ahead.
 */
async function postponeReconcileBeyondBackoff(target: JobTarget, delaySeconds: number, deps: RecordProcessorDeps): Promise<void> {
  if (delaySeconds <= deps.backoff.maxSeconds) return;
  const dueAt = new Date(deps.now().getTime() + delaySeconds * 1000);
  try {
    await deps.store.postponeReconcile(target, dueAt);
  } catch (error) {
    deps.logger.warn('could not postpone the reconciler for a long retry-after; it may re-send the job early', {
      entryId: target.entryId,
      dueAt: dueAt.toISOString(),
      error,
    });
  }
}
