import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PREFER_WAIT_MAX_SECONDS, WEB_FUNCTION_TIMEOUTS_SECONDS } from '../../lambdas/devlog-api/function-timeouts.js';
import { GATEWAY_ROUTES, routeKeyOf } from '../../lambdas/devlog-api/api/http/routes.js';
import { CONSUMER_SETTINGS, deployedReconcileGraceSeconds, ENTRY_TABLE, QUEUE_SETTINGS } from '../../lambdas/contract/index.js';
import { BUNDLE_BUDGET_KIB } from '../../lib/shared/bundle-budgets.js';
import { DEFAULT_ACCOUNT_CONCURRENCY, RESERVED_CONCURRENCY, unreservedConcurrency } from '../../lib/shared/reserved-concurrency.js';
import { sharedParameterPaths } from '../../lib/shared/ssm-parameters.js';
import { functionEnvironmentValues, policyStatements } from './support/template-queries.js';
import { synthStage } from './synth.js';

describe('DevLogApi stack', () => {
  let stage: ReturnType<typeof synthStage>;
  beforeAll(() => {
    stage = synthStage({}, { bundle: true });
  });

  it('keeps entries in an on-demand table with PITR, TTL, the sparse pending and failed indexes, retained on delete', () => {
    stage.api.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: ENTRY_TABLE.ttlAttribute, Enabled: true },
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: ENTRY_TABLE.pendingIndex.name,
            KeySchema: [
              { AttributeName: 'pendingBucket', KeyType: 'HASH' },
              { AttributeName: 'enqueuedAt', KeyType: 'RANGE' },
            ],
          }),
          Match.objectLike({
            IndexName: ENTRY_TABLE.failedIndex.name,
            KeySchema: [
              { AttributeName: 'failedBucket', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
          }),
        ],
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    });
  });

  it('creates the jobs queue from the contract settings, encrypted, with a DLQ after maxReceiveCount', () => {
    stage.api.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: QUEUE_SETTINGS.visibilityTimeoutSeconds,
      MaximumMessageSize: QUEUE_SETTINGS.maximumMessageSizeBytes,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
    stage.api.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
  });

  it('denies non-TLS access to every queue', () => {
    const policies = stage.api.findResources('AWS::SQS::QueuePolicy');
    // The jobs queue, its DLQ, and the DLQs of the aggregator and the entry events publisher.
    expect(Object.keys(policies)).toHaveLength(Object.keys(stage.api.findResources('AWS::SQS::Queue')).length);
    expect(Object.keys(policies)).toHaveLength(4);
    for (const policy of Object.values(policies)) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('bundles the API function with esbuild into a minified ESM asset with source maps', () => {
    const code = Object.values(stage.api.findResources('AWS::Lambda::Function'))[0]?.Properties.Code;
    const dir = join(stage.outdir, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
    expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map', 'package.json', 'ssm-parameter.js', 'ssm-parameter.js.map']);
    const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    // A new dependency shows up here.
    expect(Buffer.byteLength(bundle)).toBeLessThan(BUNDLE_BUDGET_KIB.api * 1024);
    // The SSM client (the consumer's accepted versions) is loaded on first use, not at cold start.
    expect(bundle).not.toContain('AmazonSSM');
    expect(readFileSync(join(dir, 'ssm-parameter.js'), 'utf8')).toContain('AmazonSSM');
  });

  it.each([
    ['reconciler', 'ReconcilerFunction'],
    ['aggregator', 'TechStackAggregatorFunction'],
  ] as const)('keeps the %s bundle within its budget (lib/shared/bundle-budgets.ts)', (name, logicalIdPrefix) => {
    const [, fn] =
      Object.entries(stage.api.findResources('AWS::Lambda::Function')).find(([logicalId]) => logicalId.startsWith(logicalIdPrefix)) ?? [];
    const dir = join(stage.outdir, `asset.${String(fn?.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    expect(statSync(join(dir, 'index.mjs')).size).toBeLessThan(BUNDLE_BUDGET_KIB[name] * 1024);
  });

  it('lets the API and the reconciler read, at run time, the job message versions the consumer published', () => {
    const functions = Object.values(stage.api.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.QUEUE_URL,
    );
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables.CONSUMER_VERSIONS_PARAMETER).toBe(
        '/devlog-tags/dev/extraction/accepted-job-message-versions',
      );
    }
    const statements = policyStatements(stage.api);
    const reads = statements.filter((s) => [s.Action].flat().some((action) => action.startsWith('ssm:')));
    expect(reads).toHaveLength(2);
    // GetParameter only: not the history, the parameter list, or the batch read.
    for (const read of reads) expect(read.Action).toBe('ssm:GetParameter');
    for (const read of reads) expect(JSON.stringify(read.Resource)).toContain('/extraction/accepted-job-message-versions');
    // No deploy-time reference: on a new account the API stack deploys before the parameter exists.
    expect(JSON.stringify(stage.api.toJSON().Parameters ?? {})).not.toContain('accepted-job-message-versions');
  });

  it('gives the reconciler the grace derived from the queue and consumer settings, not a fixed number', () => {
    // Arrange: 4 x max(360 s visibility, 60 s attempt + 900 s backoff) + the last 60 s attempt
    const longestRetryPathSeconds =
      (QUEUE_SETTINGS.maxReceiveCount - 1) * (CONSUMER_SETTINGS.functionTimeoutSeconds + CONSUMER_SETTINGS.retryMaxSeconds) +
      CONSUMER_SETTINGS.functionTimeoutSeconds;

    // Act
    const reconciler = Object.values(stage.api.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Properties.Environment?.Variables?.RECONCILE_GRACE_SECONDS !== undefined,
    );

    // Assert
    expect(reconciler?.Properties.Environment.Variables.RECONCILE_GRACE_SECONDS).toBe(String(deployedReconcileGraceSeconds()));
    expect(deployedReconcileGraceSeconds()).toBe(longestRetryPathSeconds);
  });

  it("gives the API function time for a 20 s Prefer: wait, within API Gateway's 30 s integration timeout", () => {
    const api = Object.values(stage.api.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Properties.Environment?.Variables?.DAILY_ENTRY_QUOTA,
    );
    const integrations = Object.values(stage.api.findResources('AWS::ApiGatewayV2::Integration'));

    expect(api?.Properties.Timeout).toBe(WEB_FUNCTION_TIMEOUTS_SECONDS.api);
    expect(api?.Properties.Timeout).toBeGreaterThan(PREFER_WAIT_MAX_SECONDS);
    // Unset: the HTTP API default, its maximum of 30 s.
    expect(integrations.map((integration) => integration.Properties.TimeoutInMillis)).toEqual([undefined]);
  });

  it('gives the API function the daily entries quota from context, 1000 by default', () => {
    const quotaOf = (template: typeof stage.api) => functionEnvironmentValues(template, 'DAILY_ENTRY_QUOTA');

    expect(quotaOf(stage.api)).toEqual(['1000']);
    expect(quotaOf(synthStage({ dailyEntryQuota: '50' }).api)).toEqual(['50']);
    expect(() => synthStage({ dailyEntryQuota: '0' })).toThrow(/dailyEntryQuota/);
  });

  it('gives the API function the cap on open waits per user from context, 5 by default', () => {
    const capOf = (template: typeof stage.api) => functionEnvironmentValues(template, 'MAX_OPEN_WAITS_PER_USER');

    expect(capOf(stage.api)).toEqual(['5']);
    expect(capOf(synthStage({ maxOpenWaitsPerUser: '2' }).api)).toEqual(['2']);
    expect(() => synthStage({ maxOpenWaitsPerUser: '0' })).toThrow(/maxOpenWaitsPerUser/);
  });

  it('reserves concurrency for the aggregator and the reconciler, none for the API, and leaves the rest of the default 1,000 to the account', () => {
    const functions = Object.values(stage.api.findResources('AWS::Lambda::Function'));
    const reservedOf = (description: string) =>
      functions.find((fn) => String(fn.Properties.Description).startsWith(description))?.Properties.ReservedConcurrentExecutions;

    expect(reservedOf('devlog-tags: tag index')).toBe(RESERVED_CONCURRENCY.aggregator);
    expect(reservedOf('devlog-tags: re-sends')).toBe(RESERVED_CONCURRENCY.reconciler);
    expect(reservedOf('devlog-tags API')).toBeUndefined();
    expect(RESERVED_CONCURRENCY.reconciler).toBe(1);
    expect(unreservedConcurrency()).toBe(
      DEFAULT_ACCOUNT_CONCURRENCY -
        RESERVED_CONCURRENCY.extraction -
        RESERVED_CONCURRENCY.aggregator -
        RESERVED_CONCURRENCY.reconciler -
        RESERVED_CONCURRENCY.backfillCollector,
    );
  });

  it('runs the API function on arm64 Node.js 22+ with a log group that expires', () => {
    stage.api.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      Runtime: Match.stringLikeRegexp('^nodejs(2[2-9]|[3-9]\\d)\\.x$'),
      Environment: { Variables: Match.objectLike({ TABLE_NAME: Match.anyValue(), QUEUE_URL: Match.anyValue() }) },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
    });
    stage.api.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('has exactly the routes of the route table, each with its authorization, plus throttling and access logs', () => {
    const routes = stage.api.findResources('AWS::ApiGatewayV2::Route');
    const deployed = Object.values(routes)
      .map((route) => `${route.Properties.RouteKey} ${route.Properties.AuthorizationType}`)
      .sort();
    const table = GATEWAY_ROUTES.map((route) => `${routeKeyOf(route)} ${route.auth === 'jwt' ? 'JWT' : 'NONE'}`).sort();
    expect(deployed).toEqual(table);
    expect(deployed).toContain('ANY /{proxy+} JWT');
    stage.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Audience: [Match.anyValue()], Issuer: Match.anyValue() },
    });
    stage.api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('creates a Cognito user pool by default and uses a given issuer instead when configured', () => {
    stage.api.resourceCountIs('AWS::Cognito::UserPool', 1);
    const custom = synthStage({ jwtIssuer: 'https://login.example.com/', jwtAudience: 'devlog-app' });
    custom.api.resourceCountIs('AWS::Cognito::UserPool', 0);
    custom.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Audience: ['devlog-app'], Issuer: 'https://login.example.com/' },
    });
  });

  it('publishes the table and queue under the documented SSM paths and exports nothing', () => {
    const paths = sharedParameterPaths('dev');
    for (const name of Object.values(paths)) {
      stage.api.hasResourceProperties('AWS::SSM::Parameter', { Name: name, Type: 'String' });
    }
    const outputs = stage.api.toJSON().Outputs ?? {};
    for (const output of Object.values(outputs) as { Export?: unknown }[]) {
      expect(output.Export).toBeUndefined();
    }
  });

  it('alarms on DLQ depth and on the age of the oldest job', () => {
    stage.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    stage.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 900,
    });
  });

  it('lets the API function touch only the table itself (no scan, no index) and send jobs', () => {
    const statements = policyStatements(stage.api);
    const dynamoActions = statements.flatMap((statement) => [statement.Action].flat().filter((action) => action.startsWith('dynamodb:')));
    expect(dynamoActions).not.toContain('dynamodb:Scan');
    expect(dynamoActions).not.toContain('dynamodb:*');
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']) }));
  });

  it('lets the API only query the tags table, naming only the attributes of totals and tag-index rows', () => {
    const statements = policyStatements(stage.api);
    const onTagsTable = statements.filter((statement) => JSON.stringify(statement.Resource).includes('Tags'));
    const queries = onTagsTable.filter((statement) => statement.Action === 'dynamodb:Query' && statement.Condition);

    expect(queries).toContainEqual(
      expect.objectContaining({
        Condition: {
          'ForAllValues:StringEquals': {
            'dynamodb:Attributes': ['pk', 'sk', 'value', 'count', 'firstSeen', 'lastSeen', 'countOwner', 'countRank', 'entryId'],
          },
          StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
        },
      }),
    );
  });

  it('runs the reconciler every 5 minutes with access to the pending index only', () => {
    stage.api.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
    });
    const statements = policyStatements(stage.api);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [expect.anything(), `/index/${ENTRY_TABLE.pendingIndex.name}`]] },
      }),
    );
    // What a re-send needs of the item (the revision the job carries, since when it is pending,
    // its re-send count), never its text; and it writes only the send time and that count.
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'dynamodb:GetItem',
        Condition: {
          'ForAllValues:StringEquals': {
            'dynamodb:Attributes': ['pk', 'sk', 'status', 'updatedAt', 'revision', 'resendCount', 'resendsSince'],
          },
          StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
        },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'dynamodb:UpdateItem',
        Condition: {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'status', 'enqueuedAt', 'resendCount', 'resendsSince'] },
        },
      }),
    );
  });
});
