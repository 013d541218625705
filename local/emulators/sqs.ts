import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { QUEUE_SETTINGS } from '../../lambdas/contract/index.js';
import { LOOPBACK } from '../http-server.js';
import { LOCAL_RESOURCES } from '../settings.js';

/** A running SQS emulator. */
export interface SqsEmulator {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs in memory on a free loopback port.
 * It speaks the SQS JSON protocol the SDK uses, including redrive, long polling and
 * ApproximateReceiveCount; it has no StartMessageMoveTask.
 *
 * Built with `buildApp` rather than `startFauxqs`, which always binds 0.0.0.0 and, given
 * host 127.0.0.1, makes queue URLs like `sqs.us-east-1.127.0.0.1:port` that the WHATWG URL
 * parser (and so the handlers' env validation) rejects. Queue URLs name the host
 * `sqs.us-east-1.localhost`; clients need the explicit endpoint.
 */
export async function startSqs(): Promise<SqsEmulator> {
  const app = buildApp({ logger: false, host: 'localhost' });
  const address = await app.listen({ port: 0, host: LOOPBACK });
  return { endpoint: `http://127.0.0.1:${new URL(address).port}`, stop: () => app.close() };
}

/**
 * An SQS client for an emulator. The endpoint must be explicit: fauxqs' queue URLs name a host
 * that does not resolve, and the SDK follows a queue URL's host unless `endpoint` is configured.
 */
export function sqsClientFor(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: LOCAL_RESOURCES.region, credentials: LOCAL_RESOURCES.credentials });
}

/** The jobs queue and its DLQ. */
export interface JobQueues {
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
}

/** Queue settings a test may shrink (a 360 s visibility timeout is too long to wait for). */
export interface JobQueueOptions {
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
}

/**
 * Creates the jobs queue and its DLQ like the API stack does, from the contract's numbers.
 * CreateQueue is idempotent for equal attributes, so this also finds existing queues.
 */
export async function ensureJobQueues(
  client: SQSClient,
  names: { queueName: string; deadLetterQueueName: string },
  options: JobQueueOptions = {},
): Promise<JobQueues> {
  const { visibilityTimeoutSeconds = QUEUE_SETTINGS.visibilityTimeoutSeconds, maxReceiveCount = QUEUE_SETTINGS.maxReceiveCount } = options;
  const days = (count: number) => String(count * 24 * 60 * 60);
  const deadLetterQueueUrl = await createQueue(client, names.deadLetterQueueName, {
    MessageRetentionPeriod: days(QUEUE_SETTINGS.dlqRetentionDays),
    MaximumMessageSize: String(QUEUE_SETTINGS.maximumMessageSizeBytes),
  });
  const deadLetterQueueArn = await queueArn(client, deadLetterQueueUrl);
  const queueUrl = await createQueue(client, names.queueName, {
    VisibilityTimeout: String(visibilityTimeoutSeconds),
    MessageRetentionPeriod: days(QUEUE_SETTINGS.queueRetentionDays),
    // fauxqs defaults to 1 MiB; SQS to 256 KiB. Set it so local accepts only what AWS accepts.
    MaximumMessageSize: String(QUEUE_SETTINGS.maximumMessageSizeBytes),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount }),
  });
  return { queueUrl, queueArn: await queueArn(client, queueUrl), deadLetterQueueUrl, deadLetterQueueArn };
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  return QueueUrl;
}

async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${queueUrl} has no ARN`);
  return arn;
}
