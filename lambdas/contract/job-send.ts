import { createHash } from 'node:crypto';
import { type JobMessage, JobMessageSchema } from './job-message.js';

/*
 * The one home of how a job goes onto the queue. SQS fair queues tell tenants apart by
 * MessageGroupId: when one group holds a large share of the messages in flight, the other
 * groups' messages are delivered first. Every sender (the API, the reconciler, the redrive,
 * the backfill, the extraction's deferrals) builds its SendMessage parameters here, so every
 * job is grouped by its owner and one user's burst never delays another user's entries.
 */

/** SQS's rule for a MessageGroupId: 1 to 128 printable ASCII characters, no space. */
const SQS_GROUP_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** The group of a forwarded body that is no job (it still has to leave the DLQ, in a group of its own). */
const UNREADABLE_JOB_GROUP_ID = 'unreadable-job';

/** The body and group of one job message, to spread into SendMessage or a SendMessageBatch entry. */
export interface JobSendParameters {
  MessageBody: string;
  MessageGroupId: string;
}

/**
 * The message group of an owner's jobs: the owner id itself when SQS accepts it (a Cognito
 * `sub` does), else a stable digest of it (an issuer's subject may be up to 256 characters of
 * any kind), so one owner is always one group.
 */
export function jobMessageGroupId(ownerId: string): string {
  if (SQS_GROUP_ID_PATTERN.test(ownerId)) return ownerId;
  return `owner-sha256-${createHash('sha256').update(ownerId).digest('hex')}`;
}

/** The SendMessage parameters of a job: its contract body, grouped by its owner. */
export function jobSendParameters(job: JobMessage): JobSendParameters {
  return { MessageBody: JSON.stringify(job), MessageGroupId: jobMessageGroupId(job.ownerId) };
}

/**
 * The SendMessage parameters of a job body sent on as it is (a deferral, a redrive): grouped by
 * the owner it names; a body that is no job gets a group of its own.
 */
export function forwardedJobSendParameters(body: string): JobSendParameters {
  const job = parseJob(body);
  return { MessageBody: body, MessageGroupId: job ? jobMessageGroupId(job.ownerId) : UNREADABLE_JOB_GROUP_ID };
}

function parseJob(body: string): JobMessage | undefined {
  try {
    const parsed = JobMessageSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
