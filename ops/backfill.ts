import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LATEST_PROMPT_VERSION } from '../lambdas/extraction/prompts.js';
import { parseCommandLine, runCommand, UsageError } from '../tools/cli.js';
import { checkpointPath } from './backfill-checkpoint.js';
import { backfillEntries } from './backfill-entries.js';
import { resolveTarget, TARGET_OPTIONS, TARGET_USAGE } from './cli.js';

const USAGE = `Usage: npm run backfill -- (--stage <stage> | --local) --since YYYY-MM-DD [--prompt-version N] [--jobs-per-second 20] [--restart]

Re-enqueues the done entries created since the date and tagged by an older prompt version,
paged and throttled; checkpoints after every page, so running it again resumes.
${TARGET_USAGE}
  --since YYYY-MM-DD     entries created on or after this day
  --prompt-version N     re-extract entries tagged by an older version (default ${LATEST_PROMPT_VERSION}, the latest)
  --jobs-per-second N    send rate (default 20)
  --restart              forget the checkpoint and start over`;

/*
 * Re-extraction of history after a prompt or model change. Progress is checkpointed to a file
 * after every page; running the same command again resumes there (--restart starts over).
 */
await runCommand({ name: 'npm run backfill', usage: USAGE }, async () => {
  const { values } = parseCommandLine({
    options: {
      ...TARGET_OPTIONS,
      since: { type: 'string' },
      'prompt-version': { type: 'string', default: String(LATEST_PROMPT_VERSION) },
      'jobs-per-second': { type: 'string', default: '20' },
      restart: { type: 'boolean', default: false },
    },
  });
  if (values.since === undefined) throw new UsageError('--since YYYY-MM-DD is required');
  const since = new Date(values.since);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.since) || Number.isNaN(since.getTime())) {
    throw new UsageError(`--since needs a date YYYY-MM-DD, not ${values.since}`);
  }
  const promptVersion = Number(values['prompt-version']);
  if (!Number.isInteger(promptVersion) || promptVersion < 1) {
    throw new UsageError(`--prompt-version needs a positive whole number, not ${values['prompt-version']}`);
  }
  const jobsPerSecond = Number(values['jobs-per-second']);
  if (!(jobsPerSecond > 0)) throw new UsageError(`--jobs-per-second needs a positive number, not ${values['jobs-per-second']}`);
  const target = await resolveTarget(values);
  const checkpointFile = checkpointPath({
    localDataDir: values.local ? values['data-dir'] : undefined,
    stage: values.stage,
    since,
    promptVersion,
  });
  mkdirSync(path.dirname(checkpointFile), { recursive: true });
  if (values.restart) rmSync(checkpointFile, { force: true });
  const startKey = existsSync(checkpointFile) ? JSON.parse(readFileSync(checkpointFile, 'utf8')).nextKey : undefined;
  if (startKey) process.stderr.write(`resuming from ${checkpointFile}\n`);

  const result = await backfillEntries(target.documentClient, target.sqsClient, {
    tableName: target.tableName,
    queueUrl: target.queueUrl,
    since,
    promptVersion,
    jobsPerSecond,
    jobMessageVersion: target.jobMessageVersion,
    startKey,
    onCheckpoint: (progress) => {
      writeFileSync(checkpointFile, JSON.stringify(progress));
      process.stderr.write(`\rscanned ${progress.scanned} items, enqueued ${progress.enqueued} entries`);
    },
  });
  process.stderr.write('\n');
  rmSync(checkpointFile, { force: true });
  console.log(JSON.stringify({ scanned: result.scanned, enqueued: result.enqueued }));
});
