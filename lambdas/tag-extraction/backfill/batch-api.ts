/** OpenAI's batch statuses (Batch object `status`). */
export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

/** Statuses after which OpenAI writes no more results: completed, expired or cancelled ones may hold some. */
export const FINISHED_WITH_RESULTS: readonly BatchStatus[] = ['completed', 'expired', 'cancelled'];

/** What OpenAI says about a batch. */
export interface BatchState {
  status: BatchStatus;
  /** Answers of the requests that ran (in any order, matched by custom_id). */
  outputFileId?: string;
  /** Requests that failed or expired. */
  errorFileId?: string;
  /** Why the whole batch failed validation, when it did. */
  failure?: string;
}

/** The Batch API as the backfill uses it: upload a JSONL file and create a batch on it, poll it, read its files. */
export interface BatchApi {
  /** Uploads the input file (purpose `batch`) and creates a 24 h batch of the extraction endpoint on it. */
  submit(jsonl: string, metadata: Record<string, string>): Promise<{ batchId: string; inputFileId: string; status: BatchStatus }>;
  retrieve(batchId: string): Promise<BatchState>;
  /** The lines of a file (an output or error file). */
  lines(fileId: string): Promise<string[]>;
}
