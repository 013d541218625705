import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The context `cdk synth` reads from cdk.json: the default stage and CDK's recommended feature
 * flags. Apps built outside the CLI (infra tests, the local IAM policies, the bench's synth) start
 * from it, so they synthesize the same templates as a deploy.
 */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../cdk.json'), 'utf8'),
).context;
