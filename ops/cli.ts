import { awsTarget, localTarget, type OpsTarget } from './targets.js';

/** Options every ops script takes: which stage, or the local stack. */
export const TARGET_OPTIONS = {
  stage: { type: 'string' },
  local: { type: 'boolean', default: false },
  'data-dir': { type: 'string', default: process.env.DATA_DIR ?? '.devstack' },
} as const;

/** Resolves the target named by the parsed options; exits with usage when none is named. */
export async function resolveTarget(
  usage: string,
  values: { stage?: string; local?: boolean; 'data-dir'?: string },
): Promise<OpsTarget> {
  if (values.local) return localTarget(values['data-dir'] ?? '.devstack');
  if (!values.stage) {
    console.error(usage);
    process.exit(2);
  }
  return awsTarget(values.stage);
}

/** Runs a script's main function and turns a thrown error into a message and exit code 1. */
export function runScript(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
