/** Where a submitted batch is in its life: waiting for OpenAI, its results applied, or given up (failed at OpenAI). */
export type BackfillBatchPhase = 'submitted' | 'applied' | 'failed';

/** How many answers of a batch did what. */
export interface BackfillCounts {
  tagged: number;
  /** Deleted, edited or re-tagged since the request was built. */
  leftAlone: number;
  /** Requests OpenAI answered with an error, expired ones included, and answers that could not be used. */
  failed: number;
}

/** The record of one submitted batch: enough to collect and apply it from any machine, and to resume. */
export interface BackfillBatch {
  batchId: string;
  /** The backfill run it belongs to (since date and prompt version). */
  run: string;
  inputFileId: string;
  model: string;
  promptVersion: number;
  requests: number;
  submittedAt: string;
  phase: BackfillBatchPhase;
  /** OpenAI's last status of the batch. */
  status: string;
  /** Lines of the output file applied so far, in file order: where a collect resumes. */
  appliedLines: number;
  counts: BackfillCounts;
  finishedAt?: string;
}

/** The layout of the backfill ledger table: one partition, one item per batch (a few per run). */
export const BACKFILL_LEDGER_TABLE = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Records submitted batches and how far their results were applied. */
export interface BatchLedger {
  /** Records a batch just created at OpenAI. */
  record(batch: BackfillBatch): Promise<void>;
  /** The batches whose results are not applied yet, oldest first. */
  open(): Promise<BackfillBatch[]>;
  /** Every batch of the ledger, oldest first. */
  all(): Promise<BackfillBatch[]>;
  /** Saves progress (and, when it ends, the phase) of a batch. */
  update(
    batchId: string,
    change: Partial<Pick<BackfillBatch, 'phase' | 'status' | 'appliedLines' | 'counts' | 'finishedAt'>>,
  ): Promise<void>;
}
