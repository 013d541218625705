import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpNoneAuthorizer, LogGroupLogDestination, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { ACCESS_LOG_FORMAT, ENTRY_INDEX_PROJECTED_ATTRIBUTES, FUNCTION_SETTINGS } from '../shared/resource-settings.js';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaFunctionTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { type IStringParameter, StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { WEB_FUNCTION_TIMEOUTS_SECONDS } from '../../lambdas/devlog-api/function-timeouts.js';
import { AGGREGATOR_ENTRY_ATTRIBUTES } from '../../lambdas/devlog-api/adapters/dynamodb-entry-tag-source.js';
import { RECONCILER_READ_ATTRIBUTES, RECONCILER_WRITE_ATTRIBUTES } from '../../lambdas/devlog-api/adapters/dynamodb-pending-entries.js';
import {
  deployedLongestLegitimatePendingSeconds,
  deployedResendIntervalSeconds,
  RECONCILER_SETTINGS,
} from '../../lambdas/devlog-api/reconciler/settings.js';
import { API_TAGS_TABLE_ATTRIBUTES, TAGS_TABLE } from '../../lambdas/devlog-api/adapters/tags-table.js';
import { AGGREGATOR_SETTINGS } from '../../lambdas/devlog-api/aggregator/settings.js';
import { ENTRY_EVENTS_FILTER_PATTERNS, ENTRY_EVENTS_SETTINGS } from '../../lambdas/devlog-api/entry-events/settings.js';
import { API_ROUTES, GATEWAY_ROUTES, routeKeyOf } from '../../lambdas/devlog-api/api/http/routes.js';
import { deployedReconcileGraceSeconds, ENTRY_TABLE, QUEUE_SETTINGS } from '../../lambdas/contract/index.js';
import type { StageConfig } from '../shared/config.js';
import { ApiDashboard } from './api-dashboard.js';
import { ALARM_PERIOD, MAXIMUM, StackAlarms, SUM } from '../shared/constructs/alarms.js';
import { LambdaFunction, retentionDays } from '../shared/constructs/lambda-function.js';
import { RESERVED_CONCURRENCY } from '../shared/reserved-concurrency.js';
import { consumerParameterPaths, sharedParameterPaths } from '../shared/ssm-parameters.js';

/** The SSM reader of the consumer's accepted versions in a function's folder, loaded on first use (see consumer-versions.ts). */
const ssmParameterModule = (functionFolder: 'api' | 'reconciler') => ({
  importPath: './ssm-parameter.js',
  source: fileURLToPath(new URL(`../../lambdas/devlog-api/${functionFolder}/ssm-parameter.ts`, import.meta.url)),
});

/** Props of the web team's stack. */
export interface DevLogApiStackProps extends StackProps {
  config: StageConfig;
}

/**
 * The web team's stack: the entries table, the jobs queue and its DLQ (owned here so the
 * extraction stack depends on this one and never the other way), the HTTP API with its JWT
 * authorizer, the API function, alarms, and the SSM parameters the extraction stack reads.
 */
export class DevLogApiStack extends Stack {
  readonly table: TableV2;
  readonly tagsTable: TableV2;
  readonly aggregatorDeadLetterQueue: Queue;
  readonly jobsQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly api: HttpApi;
  readonly apiFunction: LambdaFunction;
  readonly reconcilerFunction: LambdaFunction;
  /** Where every alarm of the stage (both stacks) notifies ALARM and OK. */
  readonly alarmTopic: ITopic;
  readonly aggregatorFunction: LambdaFunction;
  /** The stage's bus of entry events, for the product's other prompts. */
  readonly eventBus: EventBus;
  /** Turns the entries table's stream into the events on the bus. */
  readonly entryEventsFunction: LambdaFunction;
  readonly entryEventsDeadLetterQueue: Queue;
  /** Where the extraction stack publishes the job message versions it accepts. */
  private readonly consumerVersions: IStringParameter;

  constructor(scope: Construct, id: string, props: DevLogApiStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.table = new TableV2(this, 'Entries', {
      partitionKey: { name: ENTRY_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: ENTRY_TABLE.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: ENTRY_TABLE.ttlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      // Feeds the tech-stack aggregator, so the extraction's role needs nothing more.
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      globalSecondaryIndexes: [
        ...[ENTRY_TABLE.pendingIndex, ENTRY_TABLE.failedIndex].map((index) => ({
          indexName: index.name,
          partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
          sortKey: { name: index.sortKey, type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: [...ENTRY_INDEX_PROJECTED_ATTRIBUTES],
        })),
      ],
    });

    this.tagsTable = new TableV2(this, 'Tags', {
      partitionKey: { name: TAGS_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TAGS_TABLE.sortKey, type: AttributeType.STRING },
      // Sparse (only totals counting entries carry its keys); projected as the local table is.
      globalSecondaryIndexes: TAGS_TABLE.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.nonKeyAttributes],
      })),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });

    this.deadLetterQueue = new Queue(this, 'JobsDlq', {
      retentionPeriod: Duration.days(QUEUE_SETTINGS.dlqRetentionDays),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.jobsQueue = new Queue(this, 'Jobs', {
      visibilityTimeout: Duration.seconds(QUEUE_SETTINGS.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(QUEUE_SETTINGS.queueRetentionDays),
      maxMessageSizeBytes: QUEUE_SETTINGS.maximumMessageSizeBytes,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount },
    });

    // Read at run time, not resolved at deploy time: on a new account this stack deploys before
    // the extraction stack publishes it, and a consumer release then reaches running producers.
    this.consumerVersions = StringParameter.fromStringParameterName(
      this,
      'ConsumerVersions',
      consumerParameterPaths(config.stage).acceptedJobMessageVersions,
    );
    this.apiFunction = new LambdaFunction(this, 'ApiFunction', {
      entry: fileURLToPath(new URL('../../lambdas/devlog-api/api/handler.ts', import.meta.url)),
      lazyModules: [ssmParameterModule('api')],
      description: `devlog-tags API: ${API_ROUTES.map(routeKeyOf).join(', ')}`.slice(0, 256),
      timeout: Duration.seconds(WEB_FUNCTION_TIMEOUTS_SECONDS.api),
      memorySize: FUNCTION_SETTINGS.api.memoryMb,
      tracing: FUNCTION_SETTINGS.api.tracing,
      logRetentionDays: config.logRetentionDays,
      environment: {
        TABLE_NAME: this.table.tableName,
        QUEUE_URL: this.jobsQueue.queueUrl,
        TAGS_TABLE_NAME: this.tagsTable.tableName,
        CONSUMER_VERSIONS_PARAMETER: this.consumerVersions.parameterName,
        DAILY_ENTRY_QUOTA: String(config.dailyEntryQuota),
        MAX_OPEN_WAITS_PER_USER: String(config.maxOpenWaitsPerUser),
      },
    });
    this.grantConsumerVersionsRead(this.apiFunction);
    // Items of the caller's partition only ever: no Scan, no batch operations, no index access.
    this.apiFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        resources: [this.table.tableArn],
      }),
    );
    this.jobsQueue.grantSendMessages(this.apiFunction);
    // Read-only queries of the index by count and the tag index (only the aggregator writes them), and
    // only the attributes those answers need: never what the aggregator applied per entry. The
    // caller's partitions are chosen in code (keys built from the token's subject): one role
    // serves every caller, so IAM's dynamodb:LeadingKeys has no per-caller identity to bind to.
    this.apiFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [this.tagsTable.tableArn, ...TAGS_TABLE.indexes.map((index) => `${this.tagsTable.tableArn}/index/${index.name}`)],
        conditions: {
          'ForAllValues:StringEquals': {
            'dynamodb:Attributes': [TAGS_TABLE.partitionKey, TAGS_TABLE.sortKey, ...API_TAGS_TABLE_ATTRIBUTES],
          },
          StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
        },
      }),
    );

    this.reconcilerFunction = this.createReconciler(config);
    this.aggregatorDeadLetterQueue = new Queue(this, 'TechStackDlq', {
      retentionPeriod: Duration.days(QUEUE_SETTINGS.dlqRetentionDays),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.aggregatorFunction = this.createAggregator(config);
    this.eventBus = new EventBus(this, 'EntryEvents', {
      eventBusName: `devlog-tags-${config.stage}`,
      description: 'devlog-tags entry events: EntryTagged, EntryTaggingFailed, EntryDeleted (README, "Events")',
    });
    this.entryEventsDeadLetterQueue = new Queue(this, 'EntryEventsDlq', {
      retentionPeriod: Duration.days(QUEUE_SETTINGS.dlqRetentionDays),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.entryEventsFunction = this.createEntryEventsPublisher(config);
    this.api = this.createHttpApi(config);
    this.alarmTopic = this.createAlarmTopic(config);
    this.publishSharedParameters(config.stage);
    this.createAlarms();

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    this.acknowledgeNagFindings();
  }

  /**
   * GetParameter on the consumer's versions, nothing else: CDK's `grantRead` adds
   * GetParameters, GetParameterHistory and DescribeParameters, which no function calls.
   */
  private grantConsumerVersionsRead(fn: LambdaFunction): void {
    fn.addToRolePolicy(new PolicyStatement({ actions: ['ssm:GetParameter'], resources: [this.consumerVersions.parameterArn] }));
  }

  /** Every RECONCILER_SETTINGS.periodSeconds, re-sends the jobs of entries stuck in `pending` (a lost send or message). */
  private createReconciler(config: StageConfig): LambdaFunction {
    const reconciler = new LambdaFunction(this, 'ReconcilerFunction', {
      entry: fileURLToPath(new URL('../../lambdas/devlog-api/reconciler/handler.ts', import.meta.url)),
      lazyModules: [ssmParameterModule('reconciler')],
      description: 'devlog-tags: re-sends jobs of entries stuck in pending',
      timeout: Duration.seconds(WEB_FUNCTION_TIMEOUTS_SECONDS.reconciler),
      reservedConcurrentExecutions: RESERVED_CONCURRENCY.reconciler,
      memorySize: FUNCTION_SETTINGS.reconciler.memoryMb,
      tracing: FUNCTION_SETTINGS.reconciler.tracing,
      logRetentionDays: config.logRetentionDays,
      environment: {
        TABLE_NAME: this.table.tableName,
        QUEUE_URL: this.jobsQueue.queueUrl,
        CONSUMER_VERSIONS_PARAMETER: this.consumerVersions.parameterName,
        // Longer than any job can legitimately keep its entry pending, so no job still being retried is re-sent.
        RECONCILE_GRACE_SECONDS: String(deployedReconcileGraceSeconds()),
        RECONCILE_MAX_ENTRIES: '500',
        POWERTOOLS_METRICS_NAMESPACE: 'DevLogTags',
      },
    });
    reconciler.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${this.table.tableArn}/index/${ENTRY_TABLE.pendingIndex.name}`],
      }),
    );
    reconciler.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': {
            // `status` too: markResent's condition reads it, and conditions count as named attributes.
            'dynamodb:Attributes': [ENTRY_TABLE.partitionKey, ENTRY_TABLE.sortKey, ...RECONCILER_WRITE_ATTRIBUTES],
          },
        },
      }),
    );
    // What a re-send needs of the item (the revision the job carries, since when it is pending
    // and its re-send count); never its text.
    reconciler.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': {
            'dynamodb:Attributes': [ENTRY_TABLE.partitionKey, ENTRY_TABLE.sortKey, ...RECONCILER_READ_ATTRIBUTES],
          },
          StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
        },
      }),
    );
    this.jobsQueue.grantSendMessages(reconciler);
    this.grantConsumerVersionsRead(reconciler);
    new Rule(this, 'ReconcileSchedule', {
      description: 'Runs the reconciler of pending entries',
      schedule: Schedule.rate(Duration.seconds(RECONCILER_SETTINGS.periodSeconds)),
      targets: [new LambdaFunctionTarget(reconciler, { retryAttempts: 0 })],
    });
    return reconciler;
  }

  /**
   * The entries table's stream into the web team's aggregator, which keeps the tag index and
   * the tech-stack totals in the tags table. It may read only the keys, tags and creation time
   * of entries (never their text), and write only the tags table.
   */
  private createAggregator(config: StageConfig): LambdaFunction {
    const aggregator = new LambdaFunction(this, 'TechStackAggregatorFunction', {
      entry: fileURLToPath(new URL('../../lambdas/devlog-api/aggregator/handler.ts', import.meta.url)),
      description: 'devlog-tags: tag index and tech-stack totals from the entries stream',
      timeout: Duration.seconds(AGGREGATOR_SETTINGS.functionTimeoutSeconds),
      reservedConcurrentExecutions: RESERVED_CONCURRENCY.aggregator,
      memorySize: FUNCTION_SETTINGS.aggregator.memoryMb,
      tracing: FUNCTION_SETTINGS.aggregator.tracing,
      logRetentionDays: config.logRetentionDays,
      environment: { TABLE_NAME: this.table.tableName, TAGS_TABLE_NAME: this.tagsTable.tableName },
    });
    aggregator.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': {
            'dynamodb:Attributes': [ENTRY_TABLE.partitionKey, ENTRY_TABLE.sortKey, ...AGGREGATOR_ENTRY_ATTRIBUTES],
          },
          StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
        },
      }),
    );
    aggregator.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        resources: [this.tagsTable.tableArn],
      }),
    );
    aggregator.addEventSource(
      this.entriesStreamSource(AGGREGATOR_SETTINGS, this.aggregatorDeadLetterQueue, [
        FilterCriteria.filter({
          dynamodb: { Keys: { [ENTRY_TABLE.sortKey]: { S: FilterRule.beginsWith(AGGREGATOR_SETTINGS.entrySortKeyPrefix) } } },
        }),
      ]),
    );
    return aggregator;
  }

  /**
   * The entries table's stream into the entry events on the stage's bus. A function of ours
   * rather than an EventBridge Pipe: the Pipe's input transformer cannot turn the stream's
   * DynamoDB JSON (the tags are an `L` of `M`s) into plain JSON, so a Pipe would need an
   * enrichment function anyway, and one Pipe targets one fixed detail-type where we publish
   * three. The function also runs unchanged in the local stack. The events come from the
   * stream, never from a second write beside the tag write. Its role may only read the stream,
   * put events on this bus and park failed batches in its DLQ: it reads nothing of the table.
   */
  private createEntryEventsPublisher(config: StageConfig): LambdaFunction {
    const publisher = new LambdaFunction(this, 'EntryEventsFunction', {
      entry: fileURLToPath(new URL('../../lambdas/devlog-api/entry-events/handler.ts', import.meta.url)),
      description: 'devlog-tags: entry events on the bus from the entries stream',
      timeout: Duration.seconds(ENTRY_EVENTS_SETTINGS.functionTimeoutSeconds),
      memorySize: FUNCTION_SETTINGS.entryEvents.memoryMb,
      tracing: FUNCTION_SETTINGS.entryEvents.tracing,
      logRetentionDays: config.logRetentionDays,
      environment: { EVENT_BUS_NAME: this.eventBus.eventBusName },
    });
    this.eventBus.grantPutEventsTo(publisher);
    publisher.addEventSource(
      this.entriesStreamSource(
        ENTRY_EVENTS_SETTINGS,
        this.entryEventsDeadLetterQueue,
        ENTRY_EVENTS_FILTER_PATTERNS.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
      ),
    );
    return publisher;
  }

  /**
   * The entries table's stream as both of its consumers read it: from the oldest record kept,
   * failures reported per record, a failing batch halved until the bad record stands alone, and
   * what still fails after the retries parked in the consumer's DLQ.
   */
  private entriesStreamSource(
    settings: { batchSize: number; retryAttempts: number },
    deadLetterQueue: IQueue,
    filters: { [key: string]: unknown }[],
  ): DynamoEventSource {
    return new DynamoEventSource(this.table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: settings.batchSize,
      retryAttempts: settings.retryAttempts,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(deadLetterQueue),
      filters,
    });
  }

  private createHttpApi(config: StageConfig): HttpApi {
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: retentionDays(config.logRetentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const api = new HttpApi(this, 'Api', {
      description: 'devlog-tags: dev-log entries and their tech-stack tags',
      defaultAuthorizer: this.jwtAuthorizer(config),
      createDefaultStage: false,
    });
    api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.apiThrottleRatePerSecond, burstLimit: config.apiThrottleBurst },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });
    // No `timeout`: the HTTP API's default is its maximum, 30 s, which a waiting GET
    // (Prefer: wait) needs; CDK's check refuses anything over 29 s (the REST API limit).
    const integration = new HttpLambdaIntegration('ApiIntegration', this.apiFunction);
    for (const route of GATEWAY_ROUTES) {
      const created = api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(route.auth === 'none' ? { authorizer: new HttpNoneAuthorizer() } : {}),
      });
      if (route.auth === 'none') {
        for (const publicRoute of created) {
          Validations.of(publicRoute).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${routeKeyOf(route)} is public by design (the route table): it serves the API contract, no user data.`,
          });
        }
      }
    }
    new ApiDashboard(this, 'Dashboard', { stage: config.stage, api, accessLogs });
    return api;
  }

  private jwtAuthorizer(config: StageConfig): IHttpRouteAuthorizer {
    if (config.jwtIssuer && config.jwtAudience) {
      return new HttpJwtAuthorizer('JwtAuthorizer', config.jwtIssuer, {
        jwtAudience: [config.jwtAudience],
      });
    }
    const userPool = new UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // A public client (no secret) with the authorization code grant only: no implicit flow, no
    // client credentials. Cognito has no switch that demands PKCE; a public client is expected to
    // send it, and the README says so. Without callback URLs there is no OAuth flow at all.
    const callbackUrls = config.cognitoCallbackUrls;
    const client = new UserPoolClient(this, 'UsersClient', {
      userPool,
      generateSecret: false,
      authFlows: { userSrp: true },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      ...(callbackUrls
        ? {
            oAuth: {
              flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
              scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
              callbackUrls,
            },
          }
        : { disableOAuth: true }),
    });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    return new HttpJwtAuthorizer('JwtAuthorizer', userPool.userPoolProviderUrl, {
      jwtAudience: [client.userPoolClientId],
    });
  }

  private publishSharedParameters(stage: string): void {
    const paths = sharedParameterPaths(stage);
    const values: Record<keyof typeof paths, string> = {
      tableName: this.table.tableName,
      tableArn: this.table.tableArn,
      queueUrl: this.jobsQueue.queueUrl,
      queueArn: this.jobsQueue.queueArn,
      dlqUrl: this.deadLetterQueue.queueUrl,
      dlqArn: this.deadLetterQueue.queueArn,
      alarmTopicArn: this.alarmTopic.topicArn,
      eventBusName: this.eventBus.eventBusName,
      eventBusArn: this.eventBus.eventBusArn,
    };
    for (const [key, parameterName] of Object.entries(paths) as [keyof typeof paths, string][]) {
      new StringParameter(this, `Shared-${key}`, {
        parameterName,
        stringValue: values[key],
        description: 'Read by the TagExtraction stack at deploy time and by the ops scripts',
      });
    }
  }

  /**
   * The given topic, or one of our own, so that an alarm always reaches someone; the extraction
   * stack finds it through SSM. An e-mail subscription from context is added to either.
   */
  private createAlarmTopic(config: StageConfig): ITopic {
    const topic = config.alarmTopicArn
      ? Topic.fromTopicArn(this, 'AlarmTopic', config.alarmTopicArn)
      : new Topic(this, 'AlarmTopic', { displayName: `devlog-tags ${config.stage} alarms`, enforceSSL: true });
    if (config.alarmEmail) topic.addSubscription(new EmailSubscription(config.alarmEmail));
    if (topic instanceof Topic) {
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry no data; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer key costs more than it protects here.',
      });
      new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn });
    }
    return topic;
  }

  private createAlarms(): void {
    const alarms = new StackAlarms(this, 'Alarms', { topic: this.alarmTopic });
    alarms.watch('Jobs', {
      DeadLetters: [
        this.deadLetterQueue.metricApproximateNumberOfMessagesVisible(MAXIMUM),
        {
          threshold: 1,
          description: 'Jobs reached the DLQ: their entries are marked failed. Fix the cause, then `npm run redrive -- --stage <stage>`.',
        },
      ],
      OldestJobAge: [
        this.jobsQueue.metricApproximateAgeOfOldestMessage(MAXIMUM),
        { threshold: 900, description: 'A job has waited over 15 minutes: extraction is down, throttled or rate limited.' },
      ],
    });
    alarms.watch('Api', {
      ApiErrors: [this.apiFunction.metricErrors(SUM), { threshold: 5, description: 'The API function is failing (5xx to clients).' }],
      Api5xx: [this.api.metricServerError(SUM), { threshold: 5, description: 'The HTTP API answered 5xx.' }],
    });
    // A stuck entry shows in these figures only on the runs that re-send it, at most one resend
    // interval apart: one breaching period within that interval keeps the alarm firing.
    const lookBack = { evaluationPeriods: Math.ceil(deployedResendIntervalSeconds() / ALARM_PERIOD.toSeconds()), datapointsToAlarm: 1 };
    const longestPending = deployedLongestLegitimatePendingSeconds();
    const { alarmingResendsOfOneEntry: resends, metrics } = RECONCILER_SETTINGS;
    alarms.watch('Reconciler', {
      ReconcilerErrors: [
        this.reconcilerFunction.metricErrors(SUM),
        { threshold: 2, evaluationPeriods: 2, description: 'The reconciler keeps failing: entries stuck in pending are not being healed.' },
      ],
      ReconcilerSendFailures: [
        reconcilerMetric(metrics.sendFailures, 'Sum'),
        {
          threshold: 1,
          description:
            'The reconciler could not re-send the jobs of stuck entries (SQS down, or a job the contract rejects): they stay pending until it can.',
        },
      ],
      PendingTooLong: [
        reconcilerMetric(metrics.oldestPendingAge, 'Maximum'),
        {
          threshold: longestPending,
          ...lookBack,
          description: `An entry has been pending longer than its jobs can legitimately take (${Math.round(longestPending / 60)} min: two whole retry paths and a reconciler period): re-sending does not make it done. README, Operations: "An entry stays pending".`,
        },
      ],
      EntryResentRepeatedly: [
        reconcilerMetric(metrics.mostResendsOfOneEntry, 'Maximum'),
        {
          threshold: resends,
          ...lookBack,
          description: `The reconciler re-sent one entry's job ${resends} times or more: its jobs are lost or skipped. README, Operations: "An entry stays pending".`,
        },
      ],
    });
    watchStreamConsumer(alarms, 'TechStack', this.aggregatorFunction, this.aggregatorDeadLetterQueue, {
      errors: 'The tech-stack aggregator keeps failing: profiles and tag filters lag behind the entries.',
      iteratorAge: 'The aggregator is over 5 minutes behind the entries stream: the tech stack and tag filter are stale.',
      deadLetters:
        'Stream records exhausted their retries: some entries are missing from the tech stack and the tag filter until they change again.',
    });
    watchStreamConsumer(alarms, 'EntryEvents', this.entryEventsFunction, this.entryEventsDeadLetterQueue, {
      errors: 'The entry events publisher keeps failing: the other prompts do not hear of new tags.',
      iteratorAge: 'Entry events are over 5 minutes behind the entries stream (the bus refuses them, or the publisher fails).',
      deadLetters:
        'Stream records exhausted their retries: their entry events were never published. The DLQ names the shard and sequence range.',
    });
  }

  private acknowledgeNagFindings(): void {
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the DLQ of the jobs queue.',
    });
    Validations.of(this.aggregatorDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the on-failure destination of the tech-stack aggregator.',
    });
    Validations.of(this.entryEventsDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the on-failure destination of the entry events publisher.',
    });
  }
}

/** A figure the reconciler publishes through Powertools (which adds the service dimension), per alarm period. */
function reconcilerMetric(metricName: string, statistic: 'Sum' | 'Maximum'): Metric {
  const { namespace, service } = RECONCILER_SETTINGS.metrics;
  return new Metric({ namespace, metricName, dimensionsMap: { service }, period: ALARM_PERIOD, statistic });
}

/**
 * The alarms of a function fed by the entries table's stream, named `<concern>Errors`,
 * `<concern>IteratorAge` and `<concern>DeadLetters`: it keeps failing, it lags over 5 minutes,
 * or records exhausted their retries into its DLQ.
 */
function watchStreamConsumer(
  alarms: StackAlarms,
  concern: string,
  fn: LambdaFunction,
  deadLetterQueue: Queue,
  descriptions: { errors: string; iteratorAge: string; deadLetters: string },
): void {
  alarms.watch(concern, {
    [`${concern}Errors`]: [fn.metricErrors(SUM), { threshold: 3, evaluationPeriods: 2, description: descriptions.errors }],
    [`${concern}IteratorAge`]: [fn.metric('IteratorAge', MAXIMUM), { threshold: 5 * 60 * 1000, description: descriptions.iteratorAge }],
    [`${concern}DeadLetters`]: [
      deadLetterQueue.metricApproximateNumberOfMessagesVisible(MAXIMUM),
      { threshold: 1, description: descriptions.deadLetters },
    ],
  });
}
