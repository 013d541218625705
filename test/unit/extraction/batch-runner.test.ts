import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { deadlineBoundRunner } from '../../../lambdas/tag-extraction/batch-runner.js';
import { DeadlineExceededError } from '../../../lambdas/tag-extraction/domain/errors.js';
import { sqsRecord } from '../support/sqs-records.js';

/** Deadlines the test fires by hand. */
function manualDeadlines() {
  const model = new AbortController();
  const response = new AbortController();
  return { deadlines: { model: model.signal, response: response.signal }, model, response };
}

const never = () => new Promise<void>(() => undefined);

describe('deadlineBoundRunner', () => {
  it('reports a record that ignores the model deadline as failed when the response is due', async () => {
    // Arrange
    const { deadlines, model, response } = manualDeadlines();
    const run = deadlineBoundRunner(deadlines, 10, never);
    const outcome = run(sqsRecord('{}', { messageId: 'stuck' }));

    // Act
    model.abort();
    response.abort();

    // Assert
    await expect(outcome).rejects.toBeInstanceOf(DeadlineExceededError);
  });

  it('gives every record the model deadline as its signal', async () => {
    // Arrange
    const { deadlines } = manualDeadlines();
    const signals: AbortSignal[] = [];
    const run = deadlineBoundRunner(deadlines, 10, async (_record, signal) => void signals.push(signal));

    // Act
    await run(sqsRecord('{}', { messageId: 'a' }));

    // Assert
    expect(signals).toEqual([deadlines.model]);
  });

  it('starts the records still waiting for a slot when the model deadline passes, each once', async () => {
    // Arrange: one slot, held by a record that only ends at the response deadline
    const { deadlines, model } = manualDeadlines();
    const started: string[] = [];
    const run = deadlineBoundRunner(deadlines, 1, async (record: SQSRecord, signal) => {
      started.push(record.messageId);
      if (record.messageId === 'first') await new Promise((resolve) => signal.addEventListener('abort', resolve));
    });
    const first = run(sqsRecord('{}', { messageId: 'first' }));
    const waiting = [run(sqsRecord('{}', { messageId: 'second' })), run(sqsRecord('{}', { messageId: 'third' }))];
    await Promise.resolve();
    expect(started).toEqual(['first']);

    // Act
    model.abort();
    await Promise.all([first, ...waiting]);

    // Assert
    expect(started.sort()).toEqual(['first', 'second', 'third']);
  });
});
