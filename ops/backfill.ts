import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LATEST_PROMPT_VERSION } from '../lambdas/extraction/prompts.js';
import { backfillEntries } from './backfill-entries.js';
import { resolveTarget, runScript, TARGET_OPTIONS } from './cli.js';

const USAGE =
  'usage: npm run backfill -- (--stage <stage> | --local) --since YYYY-MM-DD [--prompt-version N] [--jobs-per-second 20] [--restart]';

/*
 * Re-extraction of history after a prompt or model change. Progress is checkpointed to a file
 * after every page; running the same command again resumes there (--restart starts over).
 */
runScript(async () => {
  const { values } = parseArgs({
    options: {
      ...TARGET_OPTIONS,
      since: { type: 'string' },
      'prompt-version': { type: 'string', default: String(LATEST_PROMPT_VERSION) },
      'jobs-per-second': { type: 'string', default: '20' },
      restart: { type: 'boolean', default: false },
    },
  });
  const since = new Date(values.since ?? '');
  const promptVersion = Number(values['prompt-version']);
  const jobsPerSecond = Number(values['jobs-per-second']);
  if (Number.isNaN(since.getTime()) || !Number.isInteger(promptVersion) || !(jobsPerSecond > 0)) {
    console.error(USAGE);
    process.exit(2);
  }
  const target = await resolveTarget(USAGE, values);
  const checkpointFile = `.backfill-${values.local ? 'local' : values.stage}-${since.toISOString().slice(0, 10)}-v${promptVersion}.json`;
  if (values.restart) rmSync(checkpointFile, { force: true });
  const startKey = existsSync(checkpointFile) ? JSON.parse(readFileSync(checkpointFile, 'utf8')).nextKey : undefined;
  if (startKey) process.stderr.write(`resuming from ${checkpointFile}\n`);

  const result = await backfillEntries(target.documentClient, target.sqsClient, {
    tableName: target.tableName,
    queueUrl: target.queueUrl,
    since,
    promptVersion,
    jobsPerSecond,
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
