import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { jobMessageFor, jobSendParameters } from '../../contract/index.js';
import type { Clock, EntryRef, JobQueue } from '../domain/ports.js';
import type { JobMessageVersionSource } from './consumer-versions.js';

/** Extraction jobs as SQS messages in the contract's format, in the newest version the consumer accepts. */
export class SqsJobQueue implements JobQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly clock: Clock,
    private readonly messageVersion: JobMessageVersionSource,
  ) {}

  /** Sends one job message for the entry, in its owner's message group (fair queues). */
  async enqueue(entry: EntryRef): Promise<void> {
    const version = await this.messageVersion();
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        ...jobSendParameters(jobMessageFor(entry, this.clock.now(), version)),
      }),
    );
  }
}
