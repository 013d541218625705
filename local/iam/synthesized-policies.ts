import { App, type CfnElement, type CfnResource, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { addStage } from '../../lib/app.js';
import { CDK_JSON_CONTEXT } from '../../lib/shared/cdk-json-context.js';
import { sharedParameterPaths } from '../../lib/shared/ssm-parameters.js';
import type { PolicyCondition, PolicyStatement } from './policy.js';
import { POLICY_RESOURCES, type PolicyFunction } from './resources.js';

/** Each function's DynamoDB and SQS statements, as its synthesized role grants them. */
export type FunctionPolicies = Record<PolicyFunction, PolicyStatement[]>;

type OneOrMany<T> = T | T[];
interface TemplateStatement {
  Effect: 'Allow' | 'Deny';
  Action: OneOrMany<string>;
  Resource: OneOrMany<unknown>;
  Condition?: Record<string, Record<string, OneOrMany<string>>>;
}
interface PolicyDocument {
  Statement: TemplateStatement[];
}
interface TemplateResource {
  Type: string;
  Properties?: { Roles?: { Ref?: string }[]; PolicyDocument?: PolicyDocument; Policies?: { PolicyDocument: PolicyDocument }[] };
}
interface Template {
  Resources: Record<string, TemplateResource>;
  Parameters?: Record<string, { Default?: string }>;
}

/** Services whose calls the local stack enforces; the other statements (logs, X-Ray, secrets) are left out. */
const ENFORCED_SERVICES = ['dynamodb:', 'sqs:'];

/**
 * Synthesizes a stage without bundling and reads each function's role: the statements of every
 * policy attached to it, resources resolved to POLICY_RESOURCES. Throws on a resource it cannot
 * resolve, so a new table or queue is noticed rather than silently dropped.
 */
export function synthesizeFunctionPolicies(): FunctionPolicies {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const { api, extraction } = addStage(app);
  const assembly = app.synth();
  const templateOf = (stack: Stack) => assembly.getStackByName(stack.stackName).template as Template;
  const logicalId = (stack: Stack, construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  const resolver = referenceResolver(
    api.node.tryGetContext('stage') ?? 'dev',
    {
      [logicalId(api, api.table)]: POLICY_RESOURCES.table,
      [logicalId(api, api.jobsQueue)]: POLICY_RESOURCES.jobsQueue,
      [logicalId(api, api.deadLetterQueue)]: POLICY_RESOURCES.deadLetterQueue,
      [logicalId(api, api.tagsTable)]: POLICY_RESOURCES.tagsTable,
      [logicalId(api, api.aggregatorDeadLetterQueue)]: POLICY_RESOURCES.aggregatorDeadLetterQueue,
    },
    { [logicalId(api, api.table)]: POLICY_RESOURCES.entriesStream },
  );
  const roleStatements = (stack: Stack, fn: { role?: IConstruct }) => {
    if (!fn.role) throw new Error('a function without a role');
    const template = templateOf(stack);
    return statementsOfRole(template, logicalId(stack, fn.role), resolver(template));
  };
  return {
    api: roleStatements(api, api.apiFunction),
    reconciler: roleStatements(api, api.reconcilerFunction),
    extraction: roleStatements(extraction, extraction.extractionFunction),
    aggregator: roleStatements(api, api.aggregatorFunction),
  };
}

/** The paths of every function in the stacks that is not in the policy file (CDK's own helpers excepted). */
export function functionsWithoutPolicies(): string[] {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const { api, extraction } = addStage(app);
  // The release's pre-traffic hook runs only in CodeDeploy, never locally, and may touch no table
  // or queue (test/infra/canary-release.test.ts holds its role to that). The backfill collector
  // needs OpenAI's Batch API; locally `npm run backfill -- --local --collect` runs its use case
  // with the operator's access, as the submission does in AWS (test/infra/tag-extraction-stack.test.ts
  // holds its role to least privilege).
  const notRunLocally = [extraction.release.preTrafficHook, extraction.backfillCollector];
  // The entry events publisher sends no DynamoDB or SQS request of its own: the event source
  // mapping reads the stream and fills its DLQ (the local stand-in does both without IAM), and
  // it calls only EventBridge, which the enforcing proxies do not cover
  // (test/infra/entry-events.test.ts holds its role to PutEvents on the bus).
  const noTableOrQueueCalls = [api.entryEventsFunction];
  const known = new Set(
    [
      api.apiFunction,
      api.reconcilerFunction,
      extraction.extractionFunction,
      api.aggregatorFunction,
      ...notRunLocally,
      ...noTableOrQueueCalls,
    ].map((fn) => fn.node.path),
  );
  return [api, extraction].flatMap((stack) =>
    stack.node
      .findAll()
      .filter((construct) => (construct.node.defaultChild as CfnResource | undefined)?.cfnResourceType === 'AWS::Lambda::Function')
      .filter((construct) => !known.has(construct.node.path) && !/LogRetention|CustomResource|Provider/.test(construct.node.id))
      .map((construct) => construct.node.path),
  );
}

function statementsOfRole(template: Template, roleId: string, resolve: (value: unknown) => string): PolicyStatement[] {
  const attached = Object.values(template.Resources).flatMap((resource) =>
    resource.Type === 'AWS::IAM::Policy' &&
    resource.Properties?.PolicyDocument &&
    resource.Properties.Roles?.some((role) => role.Ref === roleId)
      ? [resource.Properties.PolicyDocument]
      : [],
  );
  const inline = (template.Resources[roleId]?.Properties?.Policies ?? []).map((policy) => policy.PolicyDocument);
  return [...attached, ...inline]
    .flatMap((document) => document.Statement)
    .filter((statement) => list(statement.Action).some((action) => ENFORCED_SERVICES.some((service) => action.startsWith(service))))
    .map((statement) => ({
      Effect: statement.Effect,
      Action: list(statement.Action),
      Resource: list(statement.Resource).map(resolve),
      ...(statement.Condition ? { Condition: normaliseCondition(statement.Condition) } : {}),
    }));
}

function referenceResolver(stage: string, byLogicalId: Record<string, string>, streamByLogicalId: Record<string, string>) {
  const paths = sharedParameterPaths(stage);
  const byParameterPath: Record<string, string> = {
    [paths.tableArn]: POLICY_RESOURCES.table,
    [paths.queueArn]: POLICY_RESOURCES.jobsQueue,
    [paths.dlqArn]: POLICY_RESOURCES.deadLetterQueue,
  };
  return (template: Template) => {
    const resolve = (value: unknown): string => {
      if (typeof value === 'string') return value;
      const token = value as { 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]]; Ref?: string };
      const [attributeOf, attribute] = token['Fn::GetAtt'] ?? [];
      const byId = attributeOf === undefined ? undefined : byLogicalId[attributeOf];
      if (attribute === 'Arn' && byId) return byId;
      const streamOf = attributeOf === undefined ? undefined : streamByLogicalId[attributeOf];
      if (attribute === 'StreamArn' && streamOf) return streamOf;
      if (token['Fn::Join']) return token['Fn::Join'][1].map(resolve).join(token['Fn::Join'][0]);
      const parameterPath = token.Ref === undefined ? undefined : template.Parameters?.[token.Ref]?.Default;
      const byPath = parameterPath === undefined ? undefined : byParameterPath[parameterPath];
      if (byPath) return byPath;
      throw new Error(`cannot resolve the policy resource ${JSON.stringify(value)}: add it to local/iam/resources.ts`);
    };
    return resolve;
  };
}

function normaliseCondition(condition: Record<string, Record<string, OneOrMany<string>>>): PolicyCondition {
  return Object.fromEntries(
    Object.entries(condition).map(([operator, keys]) => [
      operator,
      Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, list(values)])),
    ]),
  );
}

function list<T>(value: OneOrMany<T>): T[] {
  return Array.isArray(value) ? value : [value];
}
