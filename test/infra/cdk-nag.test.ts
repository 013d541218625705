import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readValidationReport, synthStage } from './synth.js';

describe('cdk-nag AwsSolutions checks', () => {
  it('pass on both stacks of a stage', () => {
    expect(() => synthStage({ stage: 'nagcheck' })).not.toThrow();
  });

  it('fail the synth on an unsuppressed finding, with the rule in the validation report', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'devlog-nag-'));
    const app = new App({ outdir });
    new Queue(new Stack(app, 'Insecure'), 'NoDlqNoTls');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    expect(() => app.synth()).toThrow();
    const rules = readValidationReport(outdir).map((violation) => violation.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });
});
