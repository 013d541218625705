import * as z from 'zod/mini';
import { ACCEPTED_JOB_MESSAGE_VERSIONS, jobRevision } from '../contract/index.js';
import { postProcessTags } from './domain/post-process.js';
import type { DryRunIdentity, DryRunReport, DryRunResult } from './dry-run-event.js';
import { describeIssues, parseJobBody } from './job-record.js';

/*
 * The pre-traffic check of a release (lambdas/tag-extraction/release/) invokes the new version with this event
 * instead of an SQS batch: the same message parsing and contract validation, and the same
 * post-processing of a model answer it brings along, with no model call and no write.
 */

const DryRunRecordSchema = z.object({
  /** A job message body as a producer sends it. */
  body: z.string(),
  /** The entry text the answer is grounded against. */
  entryText: z.string(),
  /** What a model might answer: post-processed, never sent anywhere. */
  answer: z.array(z.string()),
});

const DryRunEventSchema = z.object({
  dryRun: z.literal(true),
  records: z.array(DryRunRecordSchema).check(z.minLength(1)),
});

/** Parses, validates and post-processes each record; throws on an event that is not a dry run's. */
export function runDryRun(event: unknown, identity: DryRunIdentity): DryRunReport {
  const parsed = DryRunEventSchema.safeParse(event);
  if (!parsed.success) throw new Error(`not a dry-run event: ${describeIssues(parsed.error)}`);
  const results = parsed.data.records.map(({ body, entryText, answer }): DryRunResult => {
    const job = parseJobBody(body);
    if (!job.success) return { valid: false, error: job.error };
    return { valid: true, version: job.data.version, revision: jobRevision(job.data), ...postProcessTags(answer, entryText) };
  });
  return { dryRun: true, ...identity, acceptedVersions: ACCEPTED_JOB_MESSAGE_VERSIONS, results };
}
