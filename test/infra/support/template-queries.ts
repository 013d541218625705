import { Match, type Template } from 'aws-cdk-lib/assertions';

/** An IAM policy statement as the templates hold it. */
export type PolicyStatement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The statements of every IAM policy in `template` whose logical id starts with `logicalIdPrefix` (all of them when empty). */
export function policyStatements(template: Template, logicalIdPrefix = ''): PolicyStatement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(logicalIdPrefix))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
}

/** Matches `Fn::GetAtt` of `attribute` of the resource CDK named `logicalIdPrefix` plus its 8-digit hash. */
export function getAttOf(logicalIdPrefix: string, attribute = 'Arn') {
  return { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${logicalIdPrefix}[0-9A-F]{8}$`), attribute] };
}

/** The values the functions of `template` set for the environment variable `name` (functions without it left out). */
export function functionEnvironmentValues(template: Template, name: string): unknown[] {
  return Object.values(template.findResources('AWS::Lambda::Function'))
    .map((fn) => fn.Properties.Environment?.Variables?.[name])
    .filter((value) => value !== undefined);
}

/**
 * The event source mapping properties every consumer of the entries table's stream has: from the
 * trim horizon, in the consumer's batches and retries, bisecting a failed batch, reporting failed
 * records, and parking what never succeeds in its DLQ (`dlqPrefix`).
 */
export function entryStreamMapping(functionPrefix: string, settings: { batchSize: number; retryAttempts: number }, dlqPrefix: string) {
  return {
    EventSourceArn: getAttOf('Entries', 'StreamArn'),
    FunctionName: { Ref: Match.stringLikeRegexp(`^${functionPrefix}`) },
    StartingPosition: 'TRIM_HORIZON',
    BatchSize: settings.batchSize,
    MaximumRetryAttempts: settings.retryAttempts,
    BisectBatchOnFunctionError: true,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    DestinationConfig: { OnFailure: { Destination: getAttOf(dlqPrefix) } },
  };
}
