import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaFunctionTarget } from 'aws-cdk-lib/aws-events-targets';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import {
  ACCEPTED_JOB_MESSAGE_VERSIONS,
  CONSUMER_SETTINGS,
  ENTRY_TABLE,
  formatAcceptedVersions,
  QUEUE_SETTINGS,
  visibilityTimeoutViolation,
} from '../../lambdas/contract/index.js';
import type { StageConfig } from '../shared/config.js';
import { EXTRACTION_TELEMETRY, MODEL_SHUTDOWN_ALARM_DAYS } from '../../lambdas/tag-extraction/telemetry.js';
import { EXTRACTION_SERVICE_VERSION } from '../../lambdas/tag-extraction/version.js';
import { BACKFILL_LEDGER_TABLE } from '../../lambdas/tag-extraction/backfill/batch-ledger.js';
import { DEFAULT_APPLY_PER_SECOND } from '../../lambdas/tag-extraction/backfill/collect-batches.js';
import { StackAlarms, SUM } from '../shared/constructs/alarms.js';
import { CanaryRelease } from './canary-release.js';
import { ExtractionDashboard } from './extraction-dashboard.js';
import { LambdaFunction } from '../shared/constructs/lambda-function.js';
import { FUNCTION_SETTINGS } from '../shared/resource-settings.js';
import { RESERVED_CONCURRENCY } from '../shared/reserved-concurrency.js';
import { consumerParameterPaths, type PublishedBackfillSettings, sharedParameterPaths } from '../shared/ssm-parameters.js';

/** How often the backfill collector looks for finished batches (OpenAI finishes one within 24 h). */
export const BACKFILL_COLLECT_INTERVAL = Duration.minutes(15);

/** Props of the extraction team's stack. */
export interface TagExtractionStackProps extends StackProps {
  config: StageConfig;
  /** Defaults to the contract's CONSUMER_SETTINGS.functionTimeoutSeconds. */
  functionTimeout?: Duration;
}

/**
 * The extraction team's stack: the SQS-triggered extraction function, the OpenAI key secret,
 * and alarms. It finds the table and queue through the SSM parameters the API stack publishes,
 * so it deploys alone once the API stack exists.
 */
export class TagExtractionStack extends Stack {
  readonly extractionFunction: LambdaFunction;
  readonly openAiSecret: Secret;
  /** The job message versions this consumer accepts, published for the API's producers. */
  readonly acceptedVersions: StringParameter;
  /** Alias `live` (what the queue invokes) and the CodeDeploy deployment group that shifts it. */
  readonly release: CanaryRelease;
  /** The backfill's ledger of submitted Batch API batches. */
  readonly backfillLedger: Table;
  /** Applies finished backfill batches, on a schedule. */
  readonly backfillCollector: LambdaFunction;

  constructor(scope: Construct, id: string, props: TagExtractionStackProps) {
    super(scope, id, props);
    const { config } = props;
    const functionTimeout = props.functionTimeout ?? Duration.seconds(CONSUMER_SETTINGS.functionTimeoutSeconds);
    const paths = sharedParameterPaths(config.stage);
    const read = (path: string) => StringParameter.valueForStringParameter(this, path);
    const tableName = read(paths.tableName);
    const tableArn = read(paths.tableArn);
    const jobsQueue = Queue.fromQueueAttributes(this, 'Jobs', {
      queueArn: read(paths.queueArn),
      queueUrl: read(paths.queueUrl),
    });

    this.openAiSecret = new Secret(this, 'OpenAiApiKey', {
      description: `OpenAI API key of devlog-tags ${config.stage}; set it with put-secret-value (see README)`,
    });

    this.extractionFunction = new LambdaFunction(this, 'ExtractionFunction', {
      entry: fileURLToPath(new URL('../../lambdas/tag-extraction/handler.ts', import.meta.url)),
      lazyModules: [
        {
          importPath: './adapters/openai-tag-extractor.js',
          source: fileURLToPath(new URL('../../lambdas/tag-extraction/adapters/openai-tag-extractor.ts', import.meta.url)),
        },
        {
          importPath: './dry-run.js',
          source: fileURLToPath(new URL('../../lambdas/tag-extraction/dry-run.ts', import.meta.url)),
        },
      ],
      description: 'devlog-tags: extracts tech-stack tags of new entries with OpenAI',
      timeout: functionTimeout,
      reservedConcurrentExecutions: RESERVED_CONCURRENCY.extraction,
      memorySize: FUNCTION_SETTINGS.extraction.memoryMb,
      tracing: FUNCTION_SETTINGS.extraction.tracing,
      logRetentionDays: config.logRetentionDays,
      environment: {
        TABLE_NAME: tableName,
        QUEUE_URL: jobsQueue.queueUrl,
        OPENAI_SECRET_ID: this.openAiSecret.secretArn,
        SERVICE_VERSION: EXTRACTION_SERVICE_VERSION,
        OPENAI_MODEL: config.openAiModel,
        ...(config.openAiFallbackModels.length > 0 ? { OPENAI_FALLBACK_MODELS: config.openAiFallbackModels.join(',') } : {}),
        OPENAI_REASONING_EFFORT: config.openAiReasoningEffort,
        OPENAI_SERVICE_TIER: config.openAiServiceTier,
        ...(config.openAiBaseUrl ? { OPENAI_BASE_URL: config.openAiBaseUrl } : {}),
        FUNCTION_TIMEOUT_SECONDS: String(functionTimeout.toSeconds()),
        RECORD_CONCURRENCY: String(CONSUMER_SETTINGS.recordConcurrency),
        // Each of up to maxConcurrency instances gets an equal share of the account's limit.
        OPENAI_REQUESTS_PER_MINUTE: String(Math.floor(config.openAiRequestsPerMinute / CONSUMER_SETTINGS.maxConcurrency)),
        POWERTOOLS_METRICS_NAMESPACE: EXTRACTION_TELEMETRY.namespace,
      },
    });
    this.openAiSecret.grantRead(this.extractionFunction);
    this.grantEntryTagAccess(this.extractionFunction, tableArn);

    const alarms = new StackAlarms(this, 'Alarms', {
      topic: Topic.fromTopicArn(this, 'AlarmTopic', read(paths.alarmTopicArn)),
    });
    // A change of the function's code or configuration publishes a new version (currentVersion
    // hashes both); the queue invokes alias live, never $LATEST, and CodeDeploy shifts live to
    // the new version (README: Releasing the extraction).
    this.release = new CanaryRelease(this, 'Release', {
      version: this.extractionFunction.currentVersion,
      deploymentConfig: config.extractionDeploymentConfig,
      alarms,
      logRetentionDays: config.logRetentionDays,
    });
    this.release.alias.addEventSource(
      new SqsEventSource(jobsQueue, {
        batchSize: QUEUE_SETTINGS.batchSize,
        maxBatchingWindow: Duration.seconds(QUEUE_SETTINGS.maxBatchingWindowSeconds),
        reportBatchItemFailures: true,
        maxConcurrency: CONSUMER_SETTINGS.maxConcurrency,
      }),
    );

    this.node.addValidation({
      validate: () => {
        const violation = visibilityTimeoutViolation(QUEUE_SETTINGS.visibilityTimeoutSeconds, functionTimeout.toSeconds());
        return violation ? [`${violation}: raise QUEUE_SETTINGS.visibilityTimeoutSeconds or lower the timeout`] : [];
      },
    });

    // The rate-limit circuit defers untried jobs as delayed copies instead of spending a receive.
    jobsQueue.grantSendMessages(this.extractionFunction);

    this.acceptedVersions = new StringParameter(this, 'AcceptedJobMessageVersions', {
      parameterName: consumerParameterPaths(config.stage).acceptedJobMessageVersions,
      stringValue: formatAcceptedVersions(ACCEPTED_JOB_MESSAGE_VERSIONS),
      description: 'Job message versions the extraction accepts; the API sends the newest it shares (contract CHANGELOG)',
    });

    // Advertised only once the new version took all the traffic: a release that rolls back never
    // made the API send a message version the old one rejects.
    this.acceptedVersions.node.addDependency(this.release.alias, this.release.deploymentGroup);

    this.backfillLedger = new Table(this, 'BackfillBatches', {
      partitionKey: { name: BACKFILL_LEDGER_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: BACKFILL_LEDGER_TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.backfillCollector = this.createBackfillCollector(config, tableName, tableArn);

    this.createAlarms(alarms, config);
    new ExtractionDashboard(this, 'Dashboard', {
      stage: config.stage,
      jobsQueue,
      deadLetterQueue: Queue.fromQueueAttributes(this, 'JobsDlq', { queueArn: read(paths.dlqArn), queueUrl: read(paths.dlqUrl) }),
      extractionFunction: this.extractionFunction,
      model: config.openAiModel,
    });
    this.acknowledgeNagFindings();
  }

  /**
   * The backfill's collector: every BACKFILL_COLLECT_INTERVAL, EventBridge invokes it to apply
   * the batches OpenAI has finished. One run at a time (reserved concurrency 1): a run resumes
   * where the last stopped. It reads and updates the ledger and writes tags as the extraction
   * does; `npm run backfill` (an operator's credentials) records the batches and reads the
   * settings published here.
   */
  private createBackfillCollector(config: StageConfig, tableName: string, tableArn: string): LambdaFunction {
    const timeout = Duration.minutes(15);
    const collector = new LambdaFunction(this, 'BackfillCollectorFunction', {
      entry: fileURLToPath(new URL('../../lambdas/tag-extraction/backfill/collector-handler.ts', import.meta.url)),
      description: 'devlog-tags: applies finished OpenAI Batch API backfills to the entries',
      timeout,
      memorySize: 1024,
      reservedConcurrentExecutions: RESERVED_CONCURRENCY.backfillCollector,
      logRetentionDays: config.logRetentionDays,
      environment: {
        TABLE_NAME: tableName,
        BACKFILL_TABLE_NAME: this.backfillLedger.tableName,
        OPENAI_SECRET_ID: this.openAiSecret.secretArn,
        ...(config.openAiBaseUrl ? { OPENAI_BASE_URL: config.openAiBaseUrl } : {}),
        BACKFILL_APPLY_PER_SECOND: String(DEFAULT_APPLY_PER_SECOND),
        FUNCTION_TIMEOUT_SECONDS: String(timeout.toSeconds()),
        SERVICE_VERSION: EXTRACTION_SERVICE_VERSION,
      },
    });
    this.openAiSecret.grantRead(collector);
    this.grantEntryTagAccess(collector, tableArn);
    collector.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
        resources: [this.backfillLedger.tableArn],
      }),
    );
    new Rule(this, 'BackfillCollectorSchedule', {
      description: 'Applies finished backfill batches (README: Backfill)',
      schedule: Schedule.rate(BACKFILL_COLLECT_INTERVAL),
      targets: [new LambdaFunctionTarget(collector, { retryAttempts: 0 })],
    });
    const published: PublishedBackfillSettings = {
      ledgerTableName: this.backfillLedger.tableName,
      openAiSecretArn: this.openAiSecret.secretArn,
      ...(config.openAiBaseUrl ? { openAiBaseUrl: config.openAiBaseUrl } : {}),
      model: config.openAiModel,
      reasoningEffort: config.openAiReasoningEffort,
    };
    new StringParameter(this, 'BackfillSettings', {
      parameterName: consumerParameterPaths(config.stage).backfill,
      stringValue: Stack.of(this).toJsonString(published),
      description: 'What npm run backfill needs: the ledger, the OpenAI key secret, the live model settings',
    });
    return collector;
  }

  /** Read only the attributes it needs of entries, and update only its own: no scan, query, put or delete. */
  private grantEntryTagAccess(fn: LambdaFunction, tableArn: string): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:GetItem'],
        resources: [tableArn],
        conditions: {
          'ForAllValues:StringEquals': {
            'dynamodb:Attributes': [ENTRY_TABLE.partitionKey, ENTRY_TABLE.sortKey, ...ENTRY_TABLE.extractionReadAttributes],
          },
          StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
        },
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:UpdateItem'],
        resources: [tableArn],
        conditions: {
          'ForAllValues:StringEquals': {
            // The revision too: its writes are conditional on it, and conditions count as named attributes.
            'dynamodb:Attributes': [
              ENTRY_TABLE.partitionKey,
              ENTRY_TABLE.sortKey,
              ...ENTRY_TABLE.extractionAttributes,
              ENTRY_TABLE.revisionAttribute,
            ],
          },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE'] },
        },
      }),
    );
  }

  /** Alarms to the stage's alarm topic, which the API stack owns and publishes in SSM. */
  private createAlarms(alarms: StackAlarms, config: StageConfig): void {
    alarms.watch('Functions', {
      ExtractionErrors: [
        this.extractionFunction.metricErrors(SUM),
        { threshold: 1, description: 'The extraction function crashed (not a record failure): check its logs.' },
      ],
      ExtractionThrottles: [
        this.extractionFunction.metricThrottles(SUM),
        { threshold: 10, evaluationPeriods: 3, description: 'The extraction function is throttled: account concurrency is exhausted.' },
      ],
      BackfillCollectorErrors: [
        this.backfillCollector.metricErrors(SUM),
        { threshold: 1, description: 'The backfill collector failed a run (it resumes on the next): check its logs.' },
      ],
    });
    // Published once per container (lambdas/tag-extraction/handler.ts): the lowest value of the hour.
    const daysToShutdown = (model: string) =>
      new Metric({
        namespace: EXTRACTION_TELEMETRY.namespace,
        metricName: EXTRACTION_TELEMETRY.daysToModelShutdownMetric,
        dimensionsMap: { service: EXTRACTION_TELEMETRY.serviceName, Model: model },
        statistic: 'Minimum',
        period: Duration.hours(1),
      });
    const models = [config.openAiModel, ...config.openAiFallbackModels];
    alarms.watch(
      'Models',
      Object.fromEntries(
        models.map((model, index) => [
          index === 0 ? 'ModelShutdownSoon' : `FallbackModel${index}ShutdownSoon`,
          [
            daysToShutdown(model),
            {
              threshold: MODEL_SHUTDOWN_ALARM_DAYS,
              below: true,
              description: `Model ${model} shuts down in under ${MODEL_SHUTDOWN_ALARM_DAYS} days: migrate (README, model-migration runbook).`,
            },
          ],
        ]),
      ),
    );
  }

  private acknowledgeNagFindings(): void {
    Validations.of(this.openAiSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'A third-party OpenAI key cannot be rotated by a Lambda; rotate it at OpenAI and put-secret-value.',
    });
  }
}
