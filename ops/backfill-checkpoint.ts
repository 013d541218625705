import path from 'node:path';

/** Folder of the checkpoints of backfills against a deployed stage (git-ignored). */
export const STAGE_CHECKPOINT_DIR = '.backfill';

/** Which backfill a checkpoint belongs to. */
export interface BackfillRun {
  /** The local stack's DATA_DIR, or undefined for a deployed stage. */
  localDataDir?: string;
  stage?: string;
  since: Date;
  promptVersion: number;
}

/**
 * Where a backfill keeps its checkpoint between runs: against the local stack, inside its
 * DATA_DIR, next to the table it is about (and wiped with it by `npm start -- --reset`); against
 * a stage, in `.backfill/` under the working directory, which git ignores.
 */
export function checkpointPath(run: BackfillRun, cwd = process.cwd()): string {
  const name = `backfill-${run.localDataDir ? 'local' : run.stage}-${run.since.toISOString().slice(0, 10)}-v${run.promptVersion}.json`;
  return run.localDataDir ? path.resolve(cwd, run.localDataDir, name) : path.resolve(cwd, STAGE_CHECKPOINT_DIR, name);
}
