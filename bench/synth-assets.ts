import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { addStage } from '../lib/app.js';
import { CDK_JSON_CONTEXT } from '../lib/shared/cdk-json-context.js';
import { FUNCTIONS, type LocatedAsset } from './cold-start.js';

/*
 * Child process of the cold-start section: synthesizes one stage into the directory given as
 * the first argument, the way bin/app.ts does (a fresh App, bundling on, cdk-nag on), and
 * prints each function's asset as JSON. A child, because the synth blocks its process for
 * seconds (esbuild runs synchronously), and the bench must stay able to clean up on Ctrl-C.
 */

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: synth-assets.ts <outdir>');
const app = new App({ outdir, context: CDK_JSON_CONTEXT });
const stacks = addStage(app);
app.synth();

const located: LocatedAsset[] = [];
for (const fn of FUNCTIONS) {
  const stack = stacks[fn.stack];
  const template = JSON.parse(await readFile(path.join(outdir, stack.templateFile), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: { Code?: { S3Key?: string }; MemorySize?: number } }>;
  };
  // Code.S3Key is `<hash>.zip`; the asset is the directory `asset.<hash>` of the cloud assembly.
  const matches = Object.entries(template.Resources).filter(
    ([logicalId, resource]) => resource.Type === 'AWS::Lambda::Function' && logicalId.startsWith(fn.logicalIdPrefix),
  );
  if (matches.length !== 1)
    throw new Error(`expected one ${fn.logicalIdPrefix}* function in ${stack.templateFile}, found ${matches.length}`);
  const [, resource] = matches[0]!;
  const s3Key = resource.Properties?.Code?.S3Key;
  if (!s3Key?.endsWith('.zip')) throw new Error(`${fn.logicalIdPrefix}: no asset S3Key in the template`);
  const assetDir = path.join(outdir, `asset.${s3Key.slice(0, -'.zip'.length)}`);
  located.push({ name: fn.name, assetDir, bundle: path.join(assetDir, 'index.mjs'), memoryMb: resource.Properties?.MemorySize ?? 128 });
}
process.stdout.write(JSON.stringify(located));
