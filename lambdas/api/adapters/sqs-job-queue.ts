import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { jobMessageFor } from '../../contract/index.js';
import type { Clock, EntryRef, JobQueue } from '../domain/ports.js';

/** Extraction jobs as SQS messages in the contract's format. */
export class SqsJobQueue implements JobQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly clock: Clock,
  ) {}

  /** Sends one job message for the entry. */
  async enqueue(entry: EntryRef): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(jobMessageFor(entry, this.clock.now())),
      }),
    );
  }
}
