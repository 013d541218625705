import { parseArgs, type ParseArgsConfig } from 'node:util';

/*
 * One way for every command (npm start, token, redrive, backfill, eval, bench) to read its
 * command line and answer a newcomer: --help prints the usage and exits 0; a bad argument or
 * setting prints one line saying what is wrong, then the usage, and exits 2; no stack traces.
 * node:util's parseArgs does the parsing; this only fixes how its errors reach the user.
 */

/** A command line or setting the command cannot run with; the message is the one line shown. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** parseArgs (strict unless told otherwise) with its errors as UsageErrors of one sentence ("unknown option '--rest'"). */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    // parseArgs adds advice on positionals after the first sentence; the usage says it better.
    const [sentence = ''] = oneLine((error as Error).message).split('. ');
    throw new UsageError(sentence.charAt(0).toLowerCase() + sentence.slice(1));
  }
}

/** A command: its name as the user types it and its usage text (first line `Usage: npm ...`). */
export interface Command {
  name: string;
  usage: string;
}

/**
 * Runs a command's main function: `--help` or `-h` anywhere prints the usage (exit 0) without
 * running it; a UsageError prints `<name>: <message>`, a blank line and the usage (exit 2);
 * any other error prints `<name>: <message>` (exit 1; the stack only with LOG_LEVEL=DEBUG).
 * A number returned by main is the exit code.
 */
export async function runCommand(command: Command, main: () => Promise<unknown>, args = process.argv.slice(2)): Promise<void> {
  const ownArgs = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  if (ownArgs.includes('--help') || ownArgs.includes('-h')) {
    console.log(command.usage);
    return;
  }
  try {
    const code = await main();
    if (typeof code === 'number') process.exitCode = code;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${command.name}: ${error.message}\n\n${command.usage}`);
      process.exitCode = 2;
      return;
    }
    const debug = process.env.LOG_LEVEL?.toUpperCase() === 'DEBUG';
    console.error(
      `${command.name}: ${debug && error instanceof Error ? error.stack : oneLine(error instanceof Error ? error.message : String(error))}`,
    );
    process.exitCode = 1;
  }
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, '; ').trim();
}
