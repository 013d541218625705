import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addStage } from '../../lib/app.js';
import { CDK_JSON_CONTEXT } from '../../lib/shared/cdk-json-context.js';
import { testTempDir } from '../support/temp-root.js';

/** Context that makes a synth skip esbuild bundling, for tests that only read templates. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

/**
 * Synthesizes one stage the way `cdk synth` does (cdk-nag included) into a folder of the test
 * run's temp root (removed when the run ends); bundles the functions only when asked, since most
 * assertions are about the templates.
 */
export function synthStage(context: Record<string, string> = {}, { bundle = false } = {}) {
  const outdir = testTempDir('synth-');
  const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, ...(bundle ? {} : SKIP_BUNDLING), ...context } });
  const { api, extraction } = addStage(app);
  const assembly = app.synth();
  return {
    app,
    outdir,
    assembly,
    api: Template.fromStack(api),
    extraction: Template.fromStack(extraction),
    apiStack: api,
    extractionStack: extraction,
  };
}

/** The cdk-nag findings of a synth that threw, from the validation report it wrote. */
export function readValidationReport(outdir: string): { ruleName: string; severity: string }[] {
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
  return report.pluginReports.flatMap((plugin: { violations: { ruleName: string; severity: string }[] }) => plugin.violations);
}
