import { parseCommandLine, runCommand } from '../tools/cli.js';
import { resolveTarget, TARGET_OPTIONS, TARGET_USAGE } from './cli.js';
import { messageMoveTask, receiveSendDelete } from './dlq-movers.js';
import { resetFailedEntries } from './reset-failed-entries.js';

const USAGE = `Usage: npm run redrive -- --stage <stage> | --local [--data-dir .devstack]

After the cause of failures is fixed: puts every failed entry back to pending, then moves the
DLQ's messages back to the jobs queue. Prints {"entriesReset":N,"messagesMoved":M}.
${TARGET_USAGE}`;

/*
 * Redrive after the cause of failures is fixed: first every `failed` entry goes back to
 * `pending` (so the consumer processes it instead of failing it fast), then the DLQ's messages
 * go back to the jobs queue. Entries whose message is gone are re-sent by the reconciler.
 */
await runCommand({ name: 'npm run redrive', usage: USAGE }, async () => {
  const { values } = parseCommandLine({ options: TARGET_OPTIONS });
  const target = await resolveTarget(values);
  const reset = await resetFailedEntries(target.documentClient, target.tableName, new Date(), (count) =>
    process.stderr.write(`\rentries reset to pending: ${count}`),
  );
  process.stderr.write('\n');
  const move =
    target.kind === 'aws'
      ? messageMoveTask(target.sqsClient, target.dlqArn)
      : receiveSendDelete(target.sqsClient, target.dlqUrl, target.queueUrl);
  const moved = await move((count) => process.stderr.write(`\rmessages moved from the DLQ: ${count}`));
  process.stderr.write('\n');
  console.log(JSON.stringify({ entriesReset: reset, messagesMoved: moved }));
});
