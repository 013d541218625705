import { parseArgs } from 'node:util';
import { resolveTarget, runScript, TARGET_OPTIONS } from './cli.js';
import { messageMoveTask, receiveSendDelete } from './dlq-movers.js';
import { resetFailedEntries } from './reset-failed-entries.js';

const USAGE = 'usage: npm run redrive -- --stage <stage> | --local [--data-dir .devstack]';

/*
 * Redrive after the cause of failures is fixed: first every `failed` entry goes back to
 * `pending` (so the consumer processes it instead of failing it fast), then the DLQ's messages
 * go back to the jobs queue. Entries whose message is gone are re-sent by the reconciler.
 */
runScript(async () => {
  const { values } = parseArgs({ options: TARGET_OPTIONS });
  const target = await resolveTarget(USAGE, values);
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
