import { parse } from '@aws-lambda-powertools/parser';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { SQSRecord } from 'aws-lambda';
import { JobMessageSchema, type JobMessage } from '../contract/index.js';

const JobRecordSchema = SqsRecordSchema.extend({ body: JSONStringified(JobMessageSchema) });

/** An SQS record whose body is a valid job message. */
export interface JobRecord {
  job: JobMessage;
  receiveCount: number;
  receiptHandle: string;
  messageId: string;
}

/** Validates an SQS record against the contract; undefined when the body is not a valid job. */
export function parseJobRecord(record: SQSRecord): JobRecord | undefined {
  const result = parse(record, undefined, JobRecordSchema, true);
  if (!result.success) return undefined;
  return {
    job: result.data.body,
    receiveCount: Number(result.data.attributes.ApproximateReceiveCount),
    receiptHandle: result.data.receiptHandle,
    messageId: result.data.messageId,
  };
}
