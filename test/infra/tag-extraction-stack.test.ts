import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCEPTED_JOB_MESSAGE_VERSIONS, CONSUMER_SETTINGS, ENTRY_TABLE, QUEUE_SETTINGS } from '../../lambdas/contract/index.js';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Duration } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { BUNDLE_BUDGET_KIB } from '../../lib/shared/bundle-budgets.js';
import { readStageConfig } from '../../lib/shared/config.js';
import { RESERVED_CONCURRENCY } from '../../lib/shared/reserved-concurrency.js';
import { TagExtractionStack } from '../../lib/tag-extraction/tag-extraction-stack.js';
import { CDK_JSON_CONTEXT } from '../../lib/shared/cdk-json-context.js';
import { EXTRACTION_SERVICE_VERSION } from '../../lambdas/tag-extraction/version.js';
import { DEFAULT_REASONING_EFFORT } from '../../lambdas/tag-extraction/model-settings.js';
import { SKIP_BUNDLING, synthStage } from './synth.js';

describe('TagExtraction stack', () => {
  let stage: ReturnType<typeof synthStage>;
  beforeAll(() => {
    stage = synthStage({ stage: 'prod' });
  });

  it('is named per stage and finds the table, queue and alarm topic through SSM parameters, not exports', () => {
    expect(stage.extractionStack.stackName).toBe('TagExtraction-prod');
    const json = JSON.stringify(stage.extraction.toJSON());
    expect(json).not.toContain('Fn::ImportValue');
    const parameters = Object.values(stage.extraction.toJSON().Parameters) as { Type: string; Default?: string }[];
    const ssmDefaults = parameters.map((p) => p.Default).filter((name) => name?.startsWith('/devlog-tags/'));
    expect(ssmDefaults.sort()).toEqual([
      '/devlog-tags/prod/alarm-topic/arn',
      '/devlog-tags/prod/entries-table/arn',
      '/devlog-tags/prod/entries-table/name',
      '/devlog-tags/prod/jobs-dlq/arn',
      '/devlog-tags/prod/jobs-dlq/url',
      '/devlog-tags/prod/jobs-queue/arn',
      '/devlog-tags/prod/jobs-queue/url',
    ]);
    expect(stage.extractionStack.dependencies).toHaveLength(0);
  });

  it('publishes in SSM the job message versions it accepts, for the API to send the newest it shares', () => {
    stage.extraction.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/devlog-tags/prod/extraction/accepted-job-message-versions',
      Type: 'String',
      Value: ACCEPTED_JOB_MESSAGE_VERSIONS.join(','),
    });
  });

  it('consumes the queue in batches with partial failures and a concurrency cap', () => {
    stage.extraction.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: QUEUE_SETTINGS.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: CONSUMER_SETTINGS.maxConcurrency },
    });
  });

  it("reserves the extraction's concurrency: the event source mapping's cap plus the release's dry run", () => {
    const extraction = Object.values(stage.extraction.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Properties.Environment?.Variables?.OPENAI_SECRET_ID !== undefined,
    );

    expect(extraction?.Properties.ReservedConcurrentExecutions).toBe(RESERVED_CONCURRENCY.extraction);
    expect(RESERVED_CONCURRENCY.extraction).toBe(CONSUMER_SETTINGS.maxConcurrency + 1);
  });

  it('runs on arm64 with the OpenAI key as a secret reference, never a plain key', () => {
    stage.extraction.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      Timeout: CONSUMER_SETTINGS.functionTimeoutSeconds,
      Environment: {
        Variables: Match.objectLike({ OPENAI_SECRET_ID: { Ref: Match.stringLikeRegexp('OpenAiApiKey') } }),
      },
    });
    const json = JSON.stringify(stage.extraction.toJSON());
    expect(json).not.toContain('OPENAI_API_KEY');
    stage.extraction.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  it('may only read the attributes it needs of entries and update the tag attributes: no scan, query, put or delete', () => {
    const statements = statementsOfRole(stage, stage.extractionStack.extractionFunction);
    const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap((s) => [s.Action].flat()).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    const update = dynamo.find((s) => [s.Action].flat().includes('dynamodb:UpdateItem'));
    expect(update?.Condition?.['ForAllValues:StringEquals']?.['dynamodb:Attributes']).toEqual([
      'pk',
      'sk',
      ...ENTRY_TABLE.extractionAttributes,
      // Named by the conditions only (the job's revision): the extraction never writes it.
      'revision',
    ]);
    const read = dynamo.find((s) => [s.Action].flat().includes('dynamodb:GetItem'));
    expect(read?.Condition?.['ForAllValues:StringEquals']?.['dynamodb:Attributes']).toEqual([
      'pk',
      'sk',
      'entry',
      'status',
      'promptVersion',
      'revision',
    ]);
    expect(read?.Condition?.StringEqualsIfExists?.['dynamodb:Select']).toBe('SPECIFIC_ATTRIBUTES');
  });

  it('alarms when the function crashes', () => {
    stage.extraction.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Threshold: 1 });
  });

  it('carries the service version from its one home as SERVICE_VERSION', () => {
    stage.extraction.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SERVICE_VERSION: EXTRACTION_SERVICE_VERSION }) },
    });
  });

  it('runs the default model with no reasoning on the flex tier, and alarms under 30 days to its shutdown', () => {
    stage.extraction.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ OPENAI_MODEL: 'gpt-6-luna', OPENAI_REASONING_EFFORT: 'none', OPENAI_SERVICE_TIER: 'flex' }),
      },
    });
    stage.extraction.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DaysToModelShutdown',
      Namespace: 'DevLogTags',
      Dimensions: Match.arrayWith([{ Name: 'Model', Value: 'gpt-6-luna' }]),
      Statistic: 'Minimum',
      Threshold: 30,
      ComparisonOperator: 'LessThanThreshold',
    });
  });

  it('passes context openAiFallbackModels to the function and alarms on each fallback model too', () => {
    const withFallbacks = synthStage({ stage: 'prod', openAiFallbackModels: 'gpt-x, gpt-y' });
    withFallbacks.extraction.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ OPENAI_FALLBACK_MODELS: 'gpt-x,gpt-y' }) },
    });
    for (const model of ['gpt-6-luna', 'gpt-x', 'gpt-y']) {
      withFallbacks.extraction.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'DaysToModelShutdown',
        Dimensions: Match.arrayWith([{ Name: 'Model', Value: model }]),
        AlarmActions: [Match.anyValue()],
      });
    }
  });

  it('fails the synth when the visibility timeout is under 6x the function timeout', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
    const config = readStageConfig(app.node);
    const tooSlow = QUEUE_SETTINGS.visibilityTimeoutSeconds / 6 + 1;
    new TagExtractionStack(app, 'TooSlow', { config, functionTimeout: Duration.seconds(tooSlow) });
    expect(() => app.synth()).toThrow(/visibility timeout 360s is below 6 x function timeout/);
  });

  it('accepts a function timeout exactly at the limit', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING } });
    const config = readStageConfig(app.node);
    new TagExtractionStack(app, 'AtLimit', {
      config,
      functionTimeout: Duration.seconds(QUEUE_SETTINGS.visibilityTimeoutSeconds / 6),
    });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('TagExtraction backfill collector', () => {
  let stage: ReturnType<typeof synthStage>;
  let collectorId: string;
  beforeAll(() => {
    stage = synthStage({ stage: 'prod' });
    collectorId = logicalIdOf(stage, stage.extractionStack.backfillCollector);
  });

  it('runs every 15 minutes on an EventBridge schedule, one run at a time, for up to 15 minutes', () => {
    stage.extraction.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [collectorId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    const collector = stage.extraction.findResources('AWS::Lambda::Function')[collectorId];
    expect(collector?.Properties).toMatchObject({
      Timeout: 900,
      ReservedConcurrentExecutions: RESERVED_CONCURRENCY.backfillCollector,
      Architectures: ['arm64'],
    });
    expect(collector?.Properties.Environment.Variables).toMatchObject({
      BACKFILL_TABLE_NAME: { Ref: expect.stringMatching(/^BackfillBatches/) },
      OPENAI_SECRET_ID: { Ref: expect.stringMatching(/^OpenAiApiKey/) },
      SERVICE_VERSION: EXTRACTION_SERVICE_VERSION,
    });
  });

  it('may read entries, update only their tag attributes, and query and update its ledger: nothing else, no queue', () => {
    const statements = statementsOfRole(stage, stage.extractionStack.backfillCollector);
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'dynamodb:UpdateItem',
    ]);
    expect(actions.filter((action) => action.startsWith('sqs:'))).toEqual([]);
    const ledgerStatement = statements.find((statement) => [statement.Action].flat().includes('dynamodb:Query'));
    expect(ledgerStatement?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BackfillBatches/), 'Arn'] });
    const entriesUpdate = statements.find((statement) => [statement.Action].flat().includes('dynamodb:UpdateItem') && statement.Condition);
    expect(entriesUpdate?.Condition?.['ForAllValues:StringEquals']?.['dynamodb:Attributes']).toEqual([
      'pk',
      'sk',
      ...ENTRY_TABLE.extractionAttributes,
      'revision',
    ]);
  });

  it('keeps its ledger in a table with point-in-time recovery that outlives the stack, and alarms on a failed run', () => {
    stage.extraction.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    });
    stage.extraction.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: collectorId } }],
      Threshold: 1,
    });
  });

  it('publishes in SSM what npm run backfill needs: the ledger, the key secret and the live model settings', () => {
    const parameter = Object.values(stage.extraction.findResources('AWS::SSM::Parameter')).find(
      (resource) => resource.Properties.Name === '/devlog-tags/prod/extraction/backfill',
    );
    const value = JSON.stringify(parameter?.Properties.Value);
    expect(value).toContain('ledgerTableName');
    expect(value).toMatch(/BackfillBatches/);
    expect(value).toMatch(/OpenAiApiKey/);
    expect(value).toContain('\\"model\\":\\"gpt-6-luna\\"');
    expect(value).toContain(`\\"reasoningEffort\\":\\"${DEFAULT_REASONING_EFFORT}\\"`);
  });
});

describe('TagExtraction bundle', () => {
  let assetDir: string;
  beforeAll(() => {
    const stage = synthStage({ stage: 'bundle' }, { bundle: true });
    const code =
      stage.extraction.findResources('AWS::Lambda::Function')[logicalIdOf(stage, stage.extractionStack.extractionFunction)]?.Properties
        .Code;
    assetDir = join(stage.outdir, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
  });

  it('keeps the handler bundle within its budget by moving the OpenAI SDK and the dry run into lazily loaded files', () => {
    expect(statSync(join(assetDir, 'index.mjs')).size).toBeLessThan(BUNDLE_BUDGET_KIB.extraction * 1024);
    expect(readFileSync(join(assetDir, 'index.mjs'), 'utf8')).toContain('import("./adapters/openai-tag-extractor.js")');
    expect(existsSync(join(assetDir, 'adapters/openai-tag-extractor.js'))).toBe(true);
    expect(existsSync(join(assetDir, 'dry-run.js'))).toBe(true);
    expect(JSON.parse(readFileSync(join(assetDir, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
  });

  it('loads in plain Node: the handler answers an empty batch and the lazy module resolves', () => {
    const script = [
      "const { handler } = await import('./index.mjs');",
      "const response = await handler({ Records: [] }, { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 });",
      "const lazy = await import('./adapters/openai-tag-extractor.js');",
      "const dry = await handler({ dryRun: true, records: [{ body: '{\"version\":1,', entryText: '', answer: [] }] }, { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 });",
      'console.log(JSON.stringify({ response, lazy: typeof lazy.createOpenAiExtractor, dryRun: dry.results.map((result) => result.valid) }));',
    ].join('\n');
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: assetDir,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-central-1',
        TABLE_NAME: 'entries',
        QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/123456789012/jobs',
        OPENAI_SECRET_ID: 'openai-key',
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
    });
    expect(JSON.parse(output.trim().split('\n').at(-1)!)).toEqual({
      response: { batchItemFailures: [] },
      lazy: 'function',
      dryRun: [false],
    });
  });
});

type Statement = { Action: string | string[]; Resource?: unknown; Condition?: Record<string, Record<string, unknown>> };

/** The logical id of a function of the extraction stack. */
function logicalIdOf(stage: ReturnType<typeof synthStage>, fn: IConstruct): string {
  return stage.extractionStack.getLogicalId(fn.node.defaultChild as CfnElement);
}

/** The statements of every policy attached to a function's role. */
function statementsOfRole(stage: ReturnType<typeof synthStage>, fn: { role?: IConstruct }): Statement[] {
  const roleId = stage.extractionStack.getLogicalId(fn.role!.node.defaultChild as CfnElement);
  return Object.values(stage.extraction.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as { Ref?: string }[]).some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}
