import { parseCommandLine, runCommand } from '../tools/shared/cli.js';
import { resolveTarget, TARGET_OPTIONS, TARGET_USAGE } from './cli.js';
import { messageMoveTask } from './dlq-movers.js';
import { redriveLocal } from './local-redrive.js';
import { resetFailedEntries } from './reset-failed-entries.js';

const USAGE = `Usage: npm run redrive -- --stage <stage> | --local [--data-dir .devstack]

After the cause of failures is fixed: puts every failed entry back to pending, then moves the
DLQ's messages back to the jobs queue; --local also sends a job for each reset entry whose
message is gone (the local DLQ does not survive a restart).
Prints {"entriesReset":N,"messagesMoved":M,"jobsResent":K}.
${TARGET_USAGE}`;

/*
 * Redrive after the cause of failures is fixed: first every `failed` entry goes back to
 * `pending` (so the consumer processes it instead of failing it fast), then the DLQ's messages
 * go back to the jobs queue. In AWS the DLQ keeps messages 14 days and the reconciler re-sends
 * entries whose message expired; locally see ops/local-redrive.ts.
 */
await runCommand({ name: 'npm run redrive', usage: USAGE }, async () => {
  const { values } = parseCommandLine({ options: TARGET_OPTIONS });
  const target = await resolveTarget(values);
  if (target.kind === 'local') {
    const report = await redriveLocal(target, new Date(), (line) => process.stderr.write(`\r${line}`));
    process.stderr.write('\n');
    console.log(JSON.stringify(report));
    return;
  }
  const reset = await resetFailedEntries(target.documentClient, target.tableName, new Date(), (count) =>
    process.stderr.write(`\rentries reset to pending: ${count}`),
  );
  process.stderr.write('\n');
  const moved = await messageMoveTask(
    target.sqsClient,
    target.dlqArn,
  )((count) => process.stderr.write(`\rmessages moved from the DLQ: ${count}`));
  process.stderr.write('\n');
  console.log(JSON.stringify({ entriesReset: reset, messagesMoved: moved, jobsResent: 0 }));
});
