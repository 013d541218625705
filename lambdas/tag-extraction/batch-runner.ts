import type { SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import { DeadlineExceededError } from './domain/errors.js';
import { whenAborted, type InvocationDeadlines } from './invocation-deadlines.js';

/** Processes one record; `signal` is the model deadline. Throws to report the record failed. */
export type RecordProcessor = (record: SQSRecord, signal: AbortSignal) => Promise<void>;

/**
 * Wraps the record processor of one invocation: at most `concurrency` records at a time, every
 * one bounded by the invocation's deadlines. When the model deadline passes, records still
 * waiting for a slot start at once (they only reschedule themselves, or are marked failed on
 * their last receive, and must do so before the response); when the response deadline passes,
 * every unfinished record is reported failed, so the batch response is always returned in time.
 */
export function deadlineBoundRunner(
  deadlines: InvocationDeadlines,
  concurrency: number,
  processRecord: RecordProcessor,
): (record: SQSRecord) => Promise<void> {
  const limit = pLimit(concurrency);
  const modelDeadline = whenAborted(deadlines.model);
  const responseDeadline = whenAborted(deadlines.response).then((): never => {
    throw new DeadlineExceededError('the record was unfinished when the batch response was due');
  });
  // Observed here once; every record's race below observes it too.
  responseDeadline.catch(() => undefined);
  return (record) => {
    let started: Promise<void> | undefined;
    const start = () => (started ??= processRecord(record, deadlines.model));
    return Promise.race([limit(start), modelDeadline.then(start), responseDeadline]);
  };
}
