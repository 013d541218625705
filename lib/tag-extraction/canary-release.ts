import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { type IAlarm, type IMetric, MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { type ILambdaDeploymentConfig, LambdaDeploymentConfig, LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias, type CfnFunction, type IFunction, type IVersion } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { EXTRACTION_METRICS, EXTRACTION_TELEMETRY } from '../../lambdas/tag-extraction/telemetry.js';
import { PRE_TRAFFIC_HOOK_TIMEOUT_SECONDS } from '../../lambdas/tag-extraction/release/settings.js';
import type { StackAlarms } from '../shared/constructs/alarms.js';
import { LambdaFunction } from '../shared/constructs/lambda-function.js';

/** The alias the event source mapping invokes and CodeDeploy shifts. */
export const LIVE_ALIAS = 'live';

/** CodeDeploy's predefined Lambda traffic shifts, by their name without `CodeDeployDefault.Lambda`. */
export const DEPLOYMENT_CONFIG_NAMES = [
  'AllAtOnce',
  'Canary10Percent5Minutes',
  'Canary10Percent10Minutes',
  'Canary10Percent15Minutes',
  'Canary10Percent30Minutes',
  'Linear10PercentEvery1Minute',
  'Linear10PercentEvery2Minutes',
  'Linear10PercentEvery3Minutes',
  'Linear10PercentEvery10Minutes',
] as const;

/** A predefined traffic shift (context `extractionDeploymentConfig`). */
export type DeploymentConfigName = (typeof DEPLOYMENT_CONFIG_NAMES)[number];

// A table rather than a lookup on the class: its constants are not enumerable properties.
const DEPLOYMENT_CONFIGS: Record<DeploymentConfigName, ILambdaDeploymentConfig> = {
  AllAtOnce: LambdaDeploymentConfig.ALL_AT_ONCE,
  Canary10Percent5Minutes: LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  Canary10Percent10Minutes: LambdaDeploymentConfig.CANARY_10PERCENT_10MINUTES,
  Canary10Percent15Minutes: LambdaDeploymentConfig.CANARY_10PERCENT_15MINUTES,
  Canary10Percent30Minutes: LambdaDeploymentConfig.CANARY_10PERCENT_30MINUTES,
  Linear10PercentEvery1Minute: LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
  Linear10PercentEvery2Minutes: LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_2MINUTES,
  Linear10PercentEvery3Minutes: LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
  Linear10PercentEvery10Minutes: LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_10MINUTES,
};

/** All at once on `dev` (fast feedback, nobody else's traffic), a 10 % canary for 5 minutes elsewhere. */
export function defaultDeploymentConfig(stage: string): DeploymentConfigName {
  return stage === 'dev' ? 'AllAtOnce' : 'Canary10Percent5Minutes';
}

/**
 * When the new version's alarms roll a release back. Rates, not counts, because the canary gets
 * a fraction of the traffic; each needs a minimum sample so that one failed record out of one
 * does not undo a release.
 */
export const CANARY_ALARMS = {
  /** Lambda errors of the new version (a crash, not a record failure) in one minute. */
  errors: 1,
  /** Records reported failed / records handed to the new version, over one minute. */
  recordFailureRate: 0.25,
  minimumRecords: 5,
  /** Tags dropped as ungrounded / tags the model proposed, over one minute: a prompt or model that hallucinates. */
  ungroundedTagRate: 0.5,
  minimumProposedTags: 10,
  period: Duration.minutes(1),
} as const;

/** Props of a canary release. */
export interface CanaryReleaseProps {
  /** The new version, published on every deploy that changes the function's code or configuration. */
  version: IVersion;
  deploymentConfig: DeploymentConfigName;
  alarms: StackAlarms;
  logRetentionDays: number;
}

/**
 * Alias `live` on the new version, shifted by CodeDeploy with automatic rollback when the
 * deployment fails or an alarm on the new version alone fires. Alias routing is weighted per
 * invocation, so function-wide alarms would mix the old version's health in: these use the
 * `ExecutedVersion` dimension (AWS/Lambda's own, and the one our metrics carry).
 */
export class CanaryRelease extends Construct {
  readonly alias: Alias;
  readonly deploymentGroup: LambdaDeploymentGroup;
  /** The alarms that judge the new version, in the order they are attached. */
  readonly versionAlarms: IAlarm[];
  /** CodeDeploy's BeforeAllowTraffic hook: a dry run of the new version (lambdas/tag-extraction/release/). */
  readonly preTrafficHook: LambdaFunction;

  constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    const { version } = props;
    this.alias = new Alias(this, 'Live', { aliasName: LIVE_ALIAS, version });
    const ours = (metricName: string) => versionMetric(version.version, metricName);
    const { recordFailureRate, ungroundedTagRate } = CANARY_ALARMS;
    const rolledBack = 'CodeDeploy rolls alias live back.';
    this.versionAlarms = props.alarms.watch('Release', {
      NewVersionErrors: [
        lambdaVersionMetric(version.lambda, version.version, 'Errors'),
        { threshold: CANARY_ALARMS.errors, description: `The new extraction version crashed during its release: ${rolledBack}` },
      ],
      NewVersionRecordFailureRate: [
        guardedRate(
          ours(EXTRACTION_METRICS.recordsFailed),
          ours(EXTRACTION_METRICS.recordsProcessed),
          CANARY_ALARMS.minimumRecords,
          'records failed / processed',
        ),
        {
          threshold: recordFailureRate,
          description: `The new extraction version fails ${recordFailureRate * 100} % or more of its records: ${rolledBack}`,
        },
      ],
      NewVersionUngroundedTagRate: [
        guardedRate(
          ours(EXTRACTION_METRICS.ungroundedTagsDropped),
          ours(EXTRACTION_METRICS.tagsProposed),
          CANARY_ALARMS.minimumProposedTags,
          'ungrounded tags / proposed',
        ),
        {
          threshold: ungroundedTagRate,
          description: `The new extraction version drops ${ungroundedTagRate * 100} % or more of the model's tags as ungrounded: ${rolledBack}`,
        },
      ],
    });
    this.preTrafficHook = new LambdaFunction(this, 'PreTrafficHook', {
      entry: fileURLToPath(new URL('../../lambdas/tag-extraction/release/pre-traffic-hook.ts', import.meta.url)),
      description: 'devlog-tags: pre-traffic check of an extraction release (a dry run of the new version)',
      timeout: Duration.seconds(PRE_TRAFFIC_HOOK_TIMEOUT_SECONDS),
      memorySize: 256,
      logRetentionDays: props.logRetentionDays,
      environment: { NEW_VERSION_ARN: version.functionArn },
    });
    // The new version only: not $LATEST, not the version live still points to.
    this.preTrafficHook.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['lambda:InvokeFunction'], resources: [version.functionArn] }),
    );
    this.deploymentGroup = new LambdaDeploymentGroup(this, 'Deployment', {
      alias: this.alias,
      // Grants the hook codedeploy:PutLifecycleEventHookExecutionStatus on this group, and
      // CodeDeploy the right to invoke the hook.
      preHook: this.preTrafficHook,
      deploymentConfig: DEPLOYMENT_CONFIGS[props.deploymentConfig],
      alarms: this.versionAlarms,
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    Validations.of(this.deploymentGroup.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason:
        "AWS's own policy for CodeDeploy on Lambda, kept current by AWS: alias updates, reading the alarms, invoking only CodeDeployHook_* functions (our hook is granted by name).",
    });
    const stack = Stack.of(this);
    const hookLogicalId = stack.resolve(stack.getLogicalId(this.preTrafficHook.node.defaultChild as CfnFunction));
    Validations.of(this.deploymentGroup.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${hookLogicalId}.Arn>:*]`,
      reason:
        "CDK's grant to invoke the hook covers its qualifiers (`:*`); the hook is our one function, and CodeDeploy invokes it unqualified.",
    });
  }
}

/** An AWS/Lambda metric of one version invoked through alias `live`. */
function lambdaVersionMetric(fn: IFunction, version: string, metricName: string): Metric {
  return new Metric({
    namespace: 'AWS/Lambda',
    metricName,
    dimensionsMap: { FunctionName: fn.functionName, Resource: `${fn.functionName}:${LIVE_ALIAS}`, ExecutedVersion: version },
    statistic: 'Sum',
    period: CANARY_ALARMS.period,
  });
}

/** One of our metrics, of one function version only. */
function versionMetric(version: string, metricName: string): Metric {
  return new Metric({
    namespace: EXTRACTION_TELEMETRY.namespace,
    metricName,
    dimensionsMap: { service: EXTRACTION_TELEMETRY.serviceName, [EXTRACTION_TELEMETRY.versionDimension]: version },
    statistic: 'Sum',
    period: CANARY_ALARMS.period,
  });
}

/** part / whole, or 0 while the whole is under the minimum sample. */
function guardedRate(part: IMetric, whole: IMetric, minimum: number, label: string): MathExpression {
  return new MathExpression({
    expression: `IF(whole >= ${minimum}, part / whole, 0)`,
    usingMetrics: { part, whole },
    period: CANARY_ALARMS.period,
    label,
  });
}
