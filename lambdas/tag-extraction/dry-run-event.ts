import type { PostProcessed } from './domain/post-process.js';

/*
 * The shape of a dry-run invocation (the pre-traffic check of a release, lambdas/tag-extraction/release/) and of
 * its answer. The handler recognises it here; dry-run.ts, which runs it, is loaded only then.
 */

/** A dry-run invocation: job messages to parse and validate, each with a model answer to post-process. */
export interface DryRunEvent {
  dryRun: true;
  records: { body: string; entryText: string; answer: string[] }[];
}

/** What the dry run made of one record. */
export type DryRunResult =
  /** `revision` is absent for a version 1 job, which is for the entry's current text. */
  ({ valid: true; version: number; revision?: number } & PostProcessed) | { valid: false; error: string };

/** The dry run's answer: which code ran, and one result per record, in order. */
export interface DryRunReport {
  dryRun: true;
  serviceVersion: string;
  functionVersion: string;
  acceptedVersions: readonly number[];
  results: DryRunResult[];
}

/** Which code is answering, for the report. */
export interface DryRunIdentity {
  serviceVersion: string;
  functionVersion: string;
}

/**
 * True for any event with a `dryRun` key: such an event never reaches the batch path, even when
 * malformed (runDryRun then throws), so a broken check can never process or acknowledge jobs.
 */
export function isDryRunEvent(event: unknown): event is { dryRun: unknown } {
  return typeof event === 'object' && event !== null && 'dryRun' in event;
}
