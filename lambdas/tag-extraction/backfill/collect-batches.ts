import pLimit from 'p-limit';
import pThrottle from 'p-throttle';
import { answerOfCompletion, parseExtractionCompletion } from '../model-request.js';
import { type ApplyBackfillDeps, applyBackfillAnswer } from './apply-answer.js';
import { type BatchApi, FINISHED_WITH_RESULTS } from './batch-api.js';
import type { BackfillBatch, BackfillCounts, BatchLedger } from './batch-ledger.js';
import { targetOfCustomId } from './requests.js';

/** Output lines applied between two saves of a batch's progress: what a crash re-applies at most. */
const LINES_PER_CHECKPOINT = 200;
/** Answers applied at once (two DynamoDB calls each). */
const APPLY_CONCURRENCY = 10;

/** What collecting needs: the entries store, the ledger, the Batch API, and when to stop. */
export interface CollectDeps extends Omit<ApplyBackfillDeps, 'promptVersion'> {
  ledger: BatchLedger;
  api: BatchApi;
  /** True once there is no time left to start another chunk (a Lambda's deadline); the rest waits for the next run. */
  outOfTime: () => boolean;
  /**
   * Answers applied per second at most: each is a tag write the entries table's stream carries
   * to the aggregator, which the live entries' tags share, so history trickles in beside them.
   */
  applyPerSecond: number;
}

/** The default of `applyPerSecond`: a 15-minute collector run applies up to 90,000 answers. */
export const DEFAULT_APPLY_PER_SECOND = 100;

/** What one collect did to each open batch. */
export interface CollectReport {
  batches: (Pick<BackfillBatch, 'batchId' | 'status' | 'phase' | 'appliedLines' | 'counts'> & { requests: number })[];
}

/**
 * Applies the results of every batch OpenAI has finished, resumably: the output file's lines in
 * file order from where the last run stopped (the ledger's appliedLines, saved every
 * LINES_PER_CHECKPOINT lines), each by applyBackfillAnswer. A crash re-applies at most the lines
 * since the last save, which find their entries re-tagged and leave them alone. Batches OpenAI
 * is still running are left for a later run.
 */
export async function collectBackfillBatches(deps: CollectDeps): Promise<CollectReport> {
  const report: CollectReport = { batches: [] };
  for (const batch of await deps.ledger.open()) {
    if (deps.outOfTime()) break;
    const state = await deps.api.retrieve(batch.batchId);
    let current: BackfillBatch = { ...batch, status: state.status };
    if (state.status === 'failed') {
      current = { ...current, phase: 'failed', finishedAt: deps.now().toISOString() };
      await deps.ledger.update(batch.batchId, { phase: 'failed', status: state.status, finishedAt: current.finishedAt });
    } else if (FINISHED_WITH_RESULTS.includes(state.status)) {
      current = await applyOutput(deps, current, state.outputFileId, state.errorFileId);
    } else {
      await deps.ledger.update(batch.batchId, { status: state.status });
    }
    report.batches.push({
      batchId: current.batchId,
      status: current.status,
      phase: current.phase,
      appliedLines: current.appliedLines,
      counts: current.counts,
      requests: current.requests,
    });
  }
  return report;
}

async function applyOutput(deps: CollectDeps, batch: BackfillBatch, outputFileId?: string, errorFileId?: string): Promise<BackfillBatch> {
  const lines = outputFileId ? await deps.api.lines(outputFileId) : [];
  const applyDeps = { ...deps, promptVersion: batch.promptVersion };
  const limit = pLimit(APPLY_CONCURRENCY);
  // Ten slots a second rather than one burst a second, so the writes are spread evenly.
  const paced = pThrottle({ limit: Math.max(1, Math.round(deps.applyPerSecond / 10)), interval: 100 })((line: string) =>
    applyLine(applyDeps, batch.model, line),
  );
  const counts: BackfillCounts = { ...batch.counts };
  let appliedLines = batch.appliedLines;
  while (appliedLines < lines.length) {
    if (deps.outOfTime()) return { ...batch, appliedLines, counts };
    const chunk = lines.slice(appliedLines, appliedLines + LINES_PER_CHECKPOINT);
    const outcomes = await Promise.all(chunk.map((line) => limit(() => paced(line))));
    for (const outcome of outcomes) counts[outcome]++;
    appliedLines += chunk.length;
    await deps.ledger.update(batch.batchId, { appliedLines, counts, status: batch.status });
  }
  // Requests without an answer (errors, expiry) keep their entries' tags; a new run re-submits them.
  if (errorFileId) counts.failed += (await deps.api.lines(errorFileId)).length;
  const finishedAt = deps.now().toISOString();
  await deps.ledger.update(batch.batchId, { phase: 'applied', status: batch.status, appliedLines, counts, finishedAt });
  return { ...batch, phase: 'applied', appliedLines, counts, finishedAt };
}

/** One output line: its answer applied, or counted as failed when it holds none we can use. Store errors throw. */
async function applyLine(deps: ApplyBackfillDeps, model: string, line: string): Promise<keyof BackfillCounts> {
  const { custom_id: customId, response } = JSON.parse(line) as {
    custom_id?: string;
    response?: { status_code?: number; body?: unknown } | null;
  };
  const target = customId === undefined ? undefined : targetOfCustomId(customId);
  if (!target || response?.status_code !== 200) return 'failed';
  let answer: ReturnType<typeof answerOfCompletion>;
  try {
    answer = answerOfCompletion(parseExtractionCompletion(response.body as Parameters<typeof parseExtractionCompletion>[0]), model);
  } catch {
    // Truncated, filtered, refused or unparsable: as the live path gives up on such an answer.
    return 'failed';
  }
  const outcome = await applyBackfillAnswer(deps, target, answer);
  return outcome.kind === 'tagged' ? 'tagged' : 'leftAlone';
}
