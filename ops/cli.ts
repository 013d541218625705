import { UsageError } from '../tools/shared/cli.js';
import { awsTarget, localTarget, type OpsTarget } from './targets.js';

/** Options every ops script takes: which stage, or the local stack. */
export const TARGET_OPTIONS = {
  stage: { type: 'string' },
  local: { type: 'boolean', default: false },
  'data-dir': { type: 'string', default: process.env.DATA_DIR ?? '.devstack' },
} as const;

/** Usage lines of the target options, for every ops script's --help. */
export const TARGET_USAGE = `  --stage <stage>        the deployed stage (AWS credentials from the environment)
  --local                the local stack (npm start), found through DATA_DIR/endpoints.json
  --data-dir <dir>       the local stack's DATA_DIR (default .devstack)`;

/** Resolves the target named by the parsed options; a UsageError when none or both are named. */
export async function resolveTarget(values: { stage?: string; local?: boolean; 'data-dir'?: string }): Promise<OpsTarget> {
  if (values.local && values.stage) throw new UsageError('name one target: --stage <stage> or --local, not both');
  if (values.local) return localTarget(values['data-dir'] ?? '.devstack');
  if (!values.stage) throw new UsageError('name a target: --stage <stage> or --local');
  return awsTarget(values.stage);
}
