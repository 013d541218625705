import { parse } from '@aws-lambda-powertools/parser';
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { JobMessageSchema, jobRevision, type JobMessage } from '../contract/index.js';

/*
 * The record schema is ours rather than Powertools' SqsRecordSchema + JSONStringified: those
 * import zod's whole namespace object, which defeats tree shaking and adds ~360 KB to the bundle.
 * We only need the body and the receive count; Powertools' parse still does the validation.
 */
const JobBodySchema = z.pipe(
  z.pipe(
    z.string(),
    z.transform((body: string, context) => {
      try {
        return JSON.parse(body) as unknown;
      } catch {
        context.issues.push({ code: 'custom', message: 'body is not JSON', input: body });
        return z.NEVER;
      }
    }),
  ),
  JobMessageSchema,
);

const JobRecordSchema = z.object({
  messageId: z.string(),
  receiptHandle: z.string(),
  body: JobBodySchema,
  attributes: z.object({ ApproximateReceiveCount: z.coerce.number().check(z.int(), z.positive()) }),
});

/** An SQS record whose body is a valid job message. */
export interface JobRecord {
  job: JobMessage;
  /** The entry revision the job is for; undefined for a version 1 job, which is for the current text (jobRevision). */
  revision: number | undefined;
  receiveCount: number;
  receiptHandle: string;
  messageId: string;
}

/** Validates an SQS record against the contract; undefined when the body is not a valid job. */
export function parseJobRecord(record: SQSRecord): JobRecord | undefined {
  const result = parse(record, undefined, JobRecordSchema, true);
  if (!result.success) return undefined;
  const { messageId, receiptHandle, body, attributes } = result.data;
  return { job: body, revision: jobRevision(body), receiveCount: attributes.ApproximateReceiveCount, receiptHandle, messageId };
}

/** Validates a job message body against the contract: the job, or what is wrong with it. */
export function parseJobBody(body: string): { success: true; data: JobMessage } | { success: false; error: string } {
  const result = JobBodySchema.safeParse(body);
  return result.success ? { success: true, data: result.data } : { success: false, error: describeIssues(result.error) };
}

/** The issues of a failed parse on one line (zod's prettifyError would bring its formatter into the bundle). */
export function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues.map(({ path, message }) => (path.length > 0 ? `${path.map(String).join('.')}: ${message}` : message)).join('; ');
}
