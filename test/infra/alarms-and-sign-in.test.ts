import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_SETTINGS, deployedReconcileGraceSeconds, QUEUE_SETTINGS } from '../../lambdas/contract/index.js';
import { sharedParameterPaths } from '../../lib/shared/ssm-parameters.js';
import { synthStage } from './synth.js';

type Alarm = { Properties: { AlarmName?: string; AlarmActions?: unknown[]; OKActions?: unknown[]; MetricName?: string } };

type AlarmWithEvaluation = { Properties: Record<string, unknown> };

const GIVEN_TOPIC = 'arn:aws:sns:eu-central-1:123456789012:ops-pager';

describe('alarm notifications', () => {
  let byDefault: ReturnType<typeof synthStage>;
  let withTopic: ReturnType<typeof synthStage>;
  beforeAll(() => {
    byDefault = synthStage();
    withTopic = synthStage({ alarmTopicArn: GIVEN_TOPIC, alarmEmail: 'oncall@example.com' });
  }, 240_000);

  it('creates an alarm topic when none is given, and every alarm of the API stack sends ALARM and OK to it', () => {
    const topics = Object.keys(byDefault.api.findResources('AWS::SNS::Topic'));
    const alarms = Object.values(byDefault.api.findResources('AWS::CloudWatch::Alarm')) as Alarm[];

    expect(topics).toHaveLength(1);
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topics[0] }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topics[0] }]);
    }
  });

  it('publishes the topic in SSM, and every alarm of the extraction stack notifies the topic it reads from there', () => {
    const path = sharedParameterPaths('dev').alarmTopicArn;
    const [topicId] = Object.keys(byDefault.api.findResources('AWS::SNS::Topic'));
    byDefault.api.hasResourceProperties('AWS::SSM::Parameter', { Name: path, Value: { Ref: topicId } });
    const parameters = byDefault.extraction.toJSON().Parameters as Record<string, { Default?: string }>;
    const topicParameter = Object.keys(parameters).find((name) => parameters[name]?.Default === path);
    const alarms = Object.values(byDefault.extraction.findResources('AWS::CloudWatch::Alarm')) as Alarm[];

    expect(topicParameter).toBeDefined();
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicParameter }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicParameter }]);
    }
  });

  it('uses a given topic instead of creating one, publishes it for the extraction stack, and subscribes the e-mail from context', () => {
    const alarms = Object.values(withTopic.api.findResources('AWS::CloudWatch::Alarm')) as Alarm[];

    withTopic.api.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([GIVEN_TOPIC]);
      expect(alarm.Properties.OKActions).toEqual([GIVEN_TOPIC]);
    }
    withTopic.api.hasResourceProperties('AWS::SSM::Parameter', { Name: sharedParameterPaths('dev').alarmTopicArn, Value: GIVEN_TOPIC });
    withTopic.api.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: GIVEN_TOPIC,
    });
  });

  it('alarms when the reconciler cannot re-send jobs', () => {
    byDefault.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'DevLogTags',
      MetricName: 'ReconcileSendFailures',
      Dimensions: [{ Name: 'service', Value: 'devlog-reconciler' }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  describe('an entry that stays pending', () => {
    // The reconciler re-sends a stuck entry once its last send is a grace old, on its next run.
    const periodSeconds = 300;
    const resendIntervalSeconds = deployedReconcileGraceSeconds() + periodSeconds;
    const reconcilerAlarm = (metricName: string) =>
      (
        Object.values(
          byDefault.api.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metricName } }),
        ) as AlarmWithEvaluation[]
      ).map((alarm) => alarm.Properties);

    it("fires when an entry is pending longer than two whole retry paths and a reconciler period, derived from the contract's queue numbers", () => {
      // Arrange: the first job's retries, the reconciler noticing it was lost, the re-sent job's retries
      const longestLegitimate = deployedReconcileGraceSeconds() + periodSeconds + deployedReconcileGraceSeconds();

      // Act
      const alarms = reconcilerAlarm('OldestPendingEntryAge');

      // Assert
      expect(alarms).toEqual([
        expect.objectContaining({
          Namespace: 'DevLogTags',
          Dimensions: [{ Name: 'service', Value: 'devlog-reconciler' }],
          Statistic: 'Maximum',
          Period: periodSeconds,
          Threshold: longestLegitimate,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: Math.ceil(resendIntervalSeconds / periodSeconds),
          DatapointsToAlarm: 1,
        }),
      ]);
      const betweenReceives = Math.max(
        QUEUE_SETTINGS.visibilityTimeoutSeconds,
        CONSUMER_SETTINGS.functionTimeoutSeconds + CONSUMER_SETTINGS.retryMaxSeconds,
      );
      expect(longestLegitimate).toBe(
        2 * ((QUEUE_SETTINGS.maxReceiveCount - 1) * betweenReceives + CONSUMER_SETTINGS.functionTimeoutSeconds) + periodSeconds,
      );
    });

    it('fires when the reconciler re-sent one entry 3 times, and stays firing between two re-sends of it', () => {
      expect(reconcilerAlarm('MostResendsOfOneEntry')).toEqual([
        expect.objectContaining({
          Namespace: 'DevLogTags',
          Dimensions: [{ Name: 'service', Value: 'devlog-reconciler' }],
          Statistic: 'Maximum',
          Threshold: 3,
          EvaluationPeriods: Math.ceil(resendIntervalSeconds / periodSeconds),
          DatapointsToAlarm: 1,
        }),
      ]);
    });

    it('schedules the reconciler at the period the alarms assume', () => {
      byDefault.api.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    });
  });
});

describe('the Cognito app client', () => {
  it('has no OAuth flow at all without callback URLs (SRP sign-in only), and never the implicit flow', () => {
    const { api } = synthStage();

    api.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlowsUserPoolClient: false,
      AllowedOAuthFlows: Match.absent(),
      CallbackURLs: Match.absent(),
    });
  }, 120_000);

  it('allows only the code flow, to the callback URLs from context, as a public client', () => {
    const { api } = synthStage({ cognitoCallbackUrls: 'https://app.example.org/callback, http://localhost:5173/callback' });

    api.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['https://app.example.org/callback', 'http://localhost:5173/callback'],
      GenerateSecret: false,
    });
  }, 120_000);

  it('refuses a plain-http callback URL that is not localhost', () => {
    expect(() => synthStage({ cognitoCallbackUrls: 'http://app.example.org/callback' })).toThrow(/callback URLs use https/);
  });
});
