import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDbBatchLedger } from '../lambdas/tag-extraction/adapters/dynamodb-backfill-ledger.js';
import { DynamoDbEntryTagStore } from '../lambdas/tag-extraction/adapters/dynamodb-entry-tag-store.js';
import { openAiBatchApi } from '../lambdas/tag-extraction/adapters/openai-batch-api.js';
import { collectBackfillBatches, DEFAULT_APPLY_PER_SECOND } from '../lambdas/tag-extraction/backfill/collect-batches.js';
import { LATEST_PROMPT_VERSION } from '../lambdas/tag-extraction/prompts.js';
import { EXTRACTION_SERVICE_VERSION } from '../lambdas/tag-extraction/version.js';
import { parseCommandLine, runCommand, UsageError } from '../tools/shared/cli.js';
import { checkpointPath } from './backfill-checkpoint.js';
import { MAX_REQUESTS_PER_BATCH, submitBackfill } from './backfill-entries.js';
import { resolveTarget, TARGET_OPTIONS, TARGET_USAGE } from './cli.js';

const USAGE = `Usage: npm run backfill -- (--stage <stage> | --local) --since YYYY-MM-DD [--prompt-version N] [--requests-per-batch ${MAX_REQUESTS_PER_BATCH}] [--restart]
       npm run backfill -- (--stage <stage> | --local) --collect [--apply-per-second ${DEFAULT_APPLY_PER_SECOND}]

Re-extracts the done entries created since the date and tagged by an older prompt version through
OpenAI's Batch API (half the price, its own rate limits, results within 24 h), never through the
live jobs queue: builds each entry's request as the live extraction does, uploads the batches and
records them in the stage's backfill ledger; checkpoints after every batch, so running it again
resumes. The extraction stack's collector applies finished batches every 15 minutes; --collect
applies them now. Prints a JSON summary.
${TARGET_USAGE}
  --since YYYY-MM-DD       entries created on or after this day
  --prompt-version N       re-extract entries tagged by an older version (default ${LATEST_PROMPT_VERSION}, the latest)
  --requests-per-batch N   requests per batch file (default and OpenAI's limit ${MAX_REQUESTS_PER_BATCH})
  --restart                forget the checkpoint and start over (re-submits what failed or expired)
  --collect                apply the results of every finished batch (resumable; re-applying is harmless)
  --apply-per-second N     answers --collect writes per second at most (default ${DEFAULT_APPLY_PER_SECOND})`;

/*
 * Re-extraction of history after a prompt or model change, off the live path. Submission is
 * checkpointed to a file after every batch; running the same command again resumes there
 * (--restart starts over). Applying results is the collector's job (lambdas/tag-extraction/backfill).
 */
await runCommand({ name: 'npm run backfill', usage: USAGE }, async () => {
  const { values } = parseCommandLine({
    options: {
      ...TARGET_OPTIONS,
      since: { type: 'string' },
      'prompt-version': { type: 'string', default: String(LATEST_PROMPT_VERSION) },
      'requests-per-batch': { type: 'string', default: String(MAX_REQUESTS_PER_BATCH) },
      restart: { type: 'boolean', default: false },
      collect: { type: 'boolean', default: false },
      'apply-per-second': { type: 'string', default: String(DEFAULT_APPLY_PER_SECOND) },
    },
  });
  if (values.collect) {
    const applyPerSecond = Number(values['apply-per-second']);
    if (!(applyPerSecond > 0)) throw new UsageError(`--apply-per-second needs a positive number, not ${values['apply-per-second']}`);
    const target = await resolveTarget(values);
    const backfill = await target.backfill();
    const report = await collectBackfillBatches({
      store: new DynamoDbEntryTagStore(target.documentClient, target.tableName),
      ledger: new DynamoDbBatchLedger(target.documentClient, backfill.ledgerTableName),
      api: openAiBatchApi(async () => backfill.openAi),
      now: () => new Date(),
      extractorVersion: EXTRACTION_SERVICE_VERSION,
      outOfTime: () => false,
      applyPerSecond,
    });
    console.log(JSON.stringify(report));
    return;
  }
  if (values.since === undefined) throw new UsageError('--since YYYY-MM-DD is required (or --collect)');
  const since = new Date(values.since);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.since) || Number.isNaN(since.getTime())) {
    throw new UsageError(`--since needs a date YYYY-MM-DD, not ${values.since}`);
  }
  const promptVersion = Number(values['prompt-version']);
  if (!Number.isInteger(promptVersion) || promptVersion < 1) {
    throw new UsageError(`--prompt-version needs a positive whole number, not ${values['prompt-version']}`);
  }
  const requestsPerBatch = Number(values['requests-per-batch']);
  if (!Number.isInteger(requestsPerBatch) || requestsPerBatch < 1 || requestsPerBatch > MAX_REQUESTS_PER_BATCH) {
    throw new UsageError(
      `--requests-per-batch needs a whole number from 1 to ${MAX_REQUESTS_PER_BATCH}, not ${values['requests-per-batch']}`,
    );
  }
  const target = await resolveTarget(values);
  const backfill = await target.backfill();
  const checkpointFile = checkpointPath({
    localDataDir: values.local ? values['data-dir'] : undefined,
    stage: values.stage,
    since,
    promptVersion,
  });
  mkdirSync(path.dirname(checkpointFile), { recursive: true });
  if (values.restart) rmSync(checkpointFile, { force: true });
  const checkpoint = existsSync(checkpointFile) ? JSON.parse(readFileSync(checkpointFile, 'utf8')) : undefined;
  if (checkpoint) process.stderr.write(`resuming from ${checkpointFile}\n`);

  const result = await submitBackfill(
    target.documentClient,
    {
      api: openAiBatchApi(async () => backfill.openAi),
      ledger: new DynamoDbBatchLedger(target.documentClient, backfill.ledgerTableName),
      now: () => new Date(),
    },
    {
      tableName: target.tableName,
      since,
      settings: { model: backfill.model, reasoningEffort: backfill.reasoningEffort, promptVersion },
      requestsPerBatch,
      run: path.basename(checkpointFile, '.json'),
      startKey: checkpoint?.nextKey,
      onCheckpoint: (progress) => {
        writeFileSync(checkpointFile, JSON.stringify(progress));
        process.stderr.write(
          `\rscanned ${progress.scanned} items, submitted ${progress.requested} requests in ${progress.batches.length} batches`,
        );
      },
    },
  );
  process.stderr.write('\n');
  rmSync(checkpointFile, { force: true });
  console.log(JSON.stringify({ scanned: result.scanned, requested: result.requested, batches: result.batches }));
});
