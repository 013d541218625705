import { DEFAULT_DAILY_ENTRY_QUOTA } from '../lambdas/devlog-api/domain/daily-quota.js';
import { DEFAULT_MAX_OPEN_WAITS_PER_USER } from '../lambdas/devlog-api/domain/wait-for-entry.js';
import { parseCommandLine, runCommand } from '../tools/shared/cli.js';
import { wipeDataDir } from './data-dir.js';
import { writeReadableLine } from './log.js';
import { readyBanner } from './ready-banner.js';
import { readLocalSettings } from './settings.js';
import { startLocalStack, type LocalStack } from './stack.js';

/*
 * `npm start`: the whole system on this machine. Options: --reset wipes DATA_DIR first.
 * Settings come from the environment (see local/settings.ts and USAGE below).
 */

/** A second signal sooner than this after the first is the same Ctrl-C delivered twice. */
const REPEAT_IS_ECHO_MS = 500;

const USAGE = `Usage: npm start [-- --reset]

Runs the API, the extraction and their emulators locally (no AWS, no Docker).
  --reset   delete the local data (DATA_DIR, default .devstack/) before starting
Environment: PORT (3000), DATA_DIR (.devstack), OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL,
             LOG_LEVEL (INFO), RETRY_BASE_SECONDS (2), RETRY_MAX_SECONDS (60),
             RECONCILE_INTERVAL_SECONDS (60), RECONCILE_GRACE_SECONDS (derived from the retry and
             timeout settings: 1500 by default; a job still being retried is never re-sent),
             DAILY_ENTRY_QUOTA (${DEFAULT_DAILY_ENTRY_QUOTA} entries per user and UTC day),
             MAX_OPEN_WAITS_PER_USER (${DEFAULT_MAX_OPEN_WAITS_PER_USER} Prefer: wait GETs open at once)`;

async function main(): Promise<void> {
  const { values } = parseCommandLine({ options: { reset: { type: 'boolean' } } });
  const settings = readLocalSettings();
  if (values.reset) {
    try {
      if ((await wipeDataDir(settings.DATA_DIR)) === 'wiped') console.log(`Wiped ${settings.DATA_DIR}`);
    } catch (error) {
      console.error(`--reset: ${(error as Error).message}`);
      process.exitCode = 1;
      return;
    }
  }

  let stack: LocalStack;
  try {
    stack = await startLocalStack({ handlerLog: writeReadableLine });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`Port ${settings.PORT} is in use (another npm start?). Stop it, or run with PORT=<free port> (0 picks one).`);
    } else {
      const detail = settings.LOG_LEVEL === 'DEBUG' ? ((error as Error).stack ?? String(error)) : (error as Error).message;
      console.error(`The local stack could not start: ${detail}`);
    }
    process.exitCode = 1;
    return;
  }

  // Ctrl-C in a terminal signals the whole process group, and npm forwards its own copy too:
  // a repeat within REPEAT_IS_ECHO_MS is that echo, not a second Ctrl-C asking to force.
  let stoppingSince: number | undefined;
  const shutdown = (signal: string) => {
    if (stoppingSince !== undefined) {
      if (performance.now() - stoppingSince < REPEAT_IS_ECHO_MS) return;
      console.log('Forced exit.');
      process.exit(1);
    }
    stoppingSince = performance.now();
    console.log(`\n${signal}: stopping (press Ctrl-C again to force)...`);
    stack.stop().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`Stopping failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  console.log(readyBanner(stack));
}

await runCommand({ name: 'npm start', usage: USAGE }, main);
