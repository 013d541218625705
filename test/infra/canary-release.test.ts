import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthStage } from './synth.js';

/** A template resource, as far as these tests read it. */
interface Resource {
  Properties: Record<string, unknown> & {
    AlarmConfiguration?: { Alarms: { Name: { Ref: string } }[] };
    Metrics?: { Id: string; Expression?: string; MetricStat?: { Metric: unknown } }[];
  };
  DependsOn?: string[];
  UpdatePolicy?: { CodeDeployLambdaAliasUpdate?: { DeploymentGroupName: unknown } };
}

describe.each([
  ['dev', 'CodeDeployDefault.LambdaAllAtOnce'],
  ['prod', 'CodeDeployDefault.LambdaCanary10Percent5Minutes'],
])('extraction release on %s', (stageName, deploymentConfig) => {
  let stage: ReturnType<typeof synthStage>;
  let aliasId: string;
  let alias: Resource;
  beforeAll(() => {
    stage = synthStage({ stage: stageName });
    const aliases = Object.entries(stage.extraction.findResources('AWS::Lambda::Alias')) as [string, Resource][];
    expect(aliases).toHaveLength(1);
    [aliasId, alias] = aliases[0]!;
  });

  it('feeds the queue to alias live on the published version, never to $LATEST', () => {
    expect(alias.Properties.Name).toBe('live');
    expect(alias.Properties.FunctionVersion).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/CurrentVersion/), 'Version'] });
    const mappings = Object.values(stage.extraction.findResources('AWS::Lambda::EventSourceMapping')) as Resource[];
    // The qualified name `<function name>:live`, the name taken from the alias's ARN.
    expect(mappings.map((mapping) => mapping.Properties.FunctionName)).toEqual([
      { 'Fn::Join': ['', [{ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: aliasId }] }] }, ':live']] },
    ]);
  });

  it(`shifts alias live with CodeDeploy (${deploymentConfig}) and rolls back on failure and on alarm`, () => {
    const group = Object.entries(stage.extraction.findResources('AWS::CodeDeploy::DeploymentGroup')) as [string, Resource][];
    expect(group).toHaveLength(1);
    expect(alias.UpdatePolicy?.CodeDeployLambdaAliasUpdate?.DeploymentGroupName).toEqual({ Ref: group[0]![0] });
    expect(group[0]![1].Properties).toMatchObject({
      DeploymentConfigName: deploymentConfig,
      AutoRollbackConfiguration: {
        Enabled: true,
        Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']),
      },
      AlarmConfiguration: { Enabled: true },
    });
  });

  it('judges the new version alone: errors, record failure rate and ungrounded tag rate, on its ExecutedVersion', () => {
    const group = Object.values(stage.extraction.findResources('AWS::CodeDeploy::DeploymentGroup'))[0] as Resource;
    const attached = (group.Properties.AlarmConfiguration?.Alarms ?? []).map((alarm) => alarm.Name.Ref);
    const alarms = stage.extraction.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>;
    expect(attached).toEqual([
      expect.stringContaining('NewVersionErrors'),
      expect.stringContaining('NewVersionRecordFailureRate'),
      expect.stringContaining('NewVersionUngroundedTagRate'),
    ]);
    const version = { 'Fn::GetAtt': [expect.stringMatching(/CurrentVersion/), 'Version'] };

    const errors = alarms[attached[0]!]!.Properties;
    expect(errors).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Threshold: 1, Period: 60 });
    expect(errors.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'ExecutedVersion', Value: version },
        { Name: 'Resource', Value: { 'Fn::Join': ['', [expect.anything(), ':live']] } },
        { Name: 'FunctionName', Value: expect.anything() },
      ]),
    );

    for (const [id, part, whole, threshold] of [
      [attached[1]!, 'RecordsFailed', 'RecordsProcessed', 0.25],
      [attached[2]!, 'UngroundedTagsDropped', 'TagsProposed', 0.5],
    ] as const) {
      const rate = alarms[id]!.Properties;
      expect(rate.Threshold).toBe(threshold);
      const queries = rate.Metrics ?? [];
      expect(queries.find((query) => query.Expression)?.Expression).toMatch(/^IF\(whole >= \d+, part \/ whole, 0\)$/);
      for (const [queryId, metricName] of [
        ['part', part],
        ['whole', whole],
      ]) {
        expect(queries.find((query) => query.Id === queryId)?.MetricStat?.Metric).toEqual({
          Namespace: 'DevLogTags',
          MetricName: metricName,
          Dimensions: expect.arrayContaining([
            { Name: 'service', Value: 'tag-extraction' },
            { Name: 'ExecutedVersion', Value: version },
          ]),
        });
      }
    }
  });

  it('runs the pre-traffic hook before any traffic shifts, pointed at the new version, with least privilege', () => {
    const hooks = Object.entries(stage.extraction.findResources('AWS::Lambda::Function')).filter(([id]) => id.includes('PreTrafficHook'));
    expect(hooks).toHaveLength(1);
    const [hookId, hook] = hooks[0]! as [string, Resource];
    const versionRef = { Ref: expect.stringMatching(/CurrentVersion/) };
    expect(alias.UpdatePolicy?.CodeDeployLambdaAliasUpdate).toMatchObject({ BeforeAllowTrafficHook: { Ref: hookId } });
    expect(hook.Properties.Environment).toMatchObject({ Variables: { NEW_VERSION_ARN: versionRef } });

    type Statement = { Action: string | string[]; Resource: unknown };
    const policies = Object.values(stage.extraction.findResources('AWS::IAM::Policy')) as Resource[];
    const statementsOf = (roleId: string) =>
      policies
        .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const hookRole = (hook.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const hookStatements = statementsOf(hookRole).filter((statement) => !/^(logs|xray):/.test([statement.Action].flat()[0]!));
    expect(hookStatements).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: versionRef },
      {
        Action: 'codedeploy:PutLifecycleEventHookExecutionStatus',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', expect.arrayContaining([':deploymentgroup:', { Ref: expect.stringMatching(/ReleaseDeployment/) }])] },
      },
    ]);
    const group = Object.values(stage.extraction.findResources('AWS::CodeDeploy::DeploymentGroup'))[0] as Resource;
    const codeDeployRole = (group.Properties.ServiceRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(statementsOf(codeDeployRole)).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: expect.arrayContaining([{ 'Fn::GetAtt': [hookId, 'Arn'] }]) }),
    ]);
  });

  it('advertises the accepted message versions only after the alias took the new version', () => {
    const parameters = Object.values(stage.extraction.findResources('AWS::SSM::Parameter')) as Resource[];
    const accepted = parameters.find((p) => String(p.Properties.Name).endsWith('/accepted-job-message-versions'));
    expect(accepted?.DependsOn).toEqual(expect.arrayContaining([aliasId]));
  });

  it('keeps the function-wide crash alarm besides the per-version ones', () => {
    stage.extraction.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: Match.anyValue() }],
    });
  });
});

describe('extraction versions', () => {
  it('publishes a new version when the configuration changes, and keeps it when nothing does', () => {
    const versionIds = (context: Record<string, string>) =>
      Object.keys(synthStage({ stage: 'prod', ...context }).extraction.findResources('AWS::Lambda::Version'));
    const before = versionIds({});
    expect(versionIds({})).toEqual(before);
    expect(versionIds({ openAiModel: 'gpt-6-sol' })).not.toEqual(before);
  });
});

describe('context extractionDeploymentConfig', () => {
  it('overrides the stage default', () => {
    const stage = synthStage({ stage: 'prod', extractionDeploymentConfig: 'Linear10PercentEvery1Minute' });
    stage.extraction.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
    });
  });

  it('refuses a name CodeDeploy does not have, listing those it has', () => {
    expect(() => synthStage({ stage: 'prod', extractionDeploymentConfig: 'Canary50Percent' })).toThrow(
      /extractionDeploymentConfig: one of CodeDeploy's Lambda configs AllAtOnce, Canary10Percent5Minutes/,
    );
  });
});
