import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStageConfig } from './shared/config.js';
import { DevLogApiStack } from './devlog-api/devlog-api-stack.js';
import { TagExtractionStack } from './tag-extraction/tag-extraction-stack.js';

/** Adds one stage of the system to a CDK app: the web team's stack and the extraction team's. */
export function addStage(app: App) {
  const config = readStageConfig(app.node);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  // No stack dependency: `cdk deploy TagExtraction-<stage>` must release the extraction alone.
  // On a new account deploy the API stack first; it publishes the SSM parameters the other reads.
  const api = new DevLogApiStack(app, `DevLogApi-${config.stage}`, { env, config });
  const extraction = new TagExtractionStack(app, `TagExtraction-${config.stage}`, { env, config });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { api, extraction };
}
