import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, inject, it } from 'vitest';
import { testTempDir } from '../support/temp-root.js';
import { readValidationReport, synthStage } from './synth.js';

describe('cdk-nag AwsSolutions checks', () => {
  it('pass on both stacks of a stage', () => {
    expect(() => synthStage({ stage: 'nagcheck' })).not.toThrow();
  });

  it('fail the synth on an unsuppressed finding, with the rule in the validation report', () => {
    const outdir = testTempDir('nag-');
    const app = new App({ outdir });
    new Queue(new Stack(app, 'Insecure'), 'NoDlqNoTls');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    expect(() => app.synth()).toThrow();
    const rules = readValidationReport(outdir).map((violation) => violation.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
    expect(outdir.startsWith(inject('testTempRoot'))).toBe(true);
  });
});
