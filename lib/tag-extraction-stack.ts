import { fileURLToPath } from 'node:url';
import { FUNCTION_SETTINGS } from './resource-settings.js';
import { Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
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
} from '../lambdas/contract/index.js';
import type { StageConfig } from './config.js';
import { EXTRACTION_TELEMETRY, MODEL_SHUTDOWN_ALARM_DAYS } from '../lambdas/extraction/telemetry.js';
import { EXTRACTION_SERVICE_VERSION } from '../lambdas/extraction/version.js';
import { ALARM_PERIOD, OperationalAlarms } from './constructs/alarms.js';
import { CanaryRelease } from './constructs/canary-release.js';
import { ExtractionDashboard } from './constructs/extraction-dashboard.js';
import { LambdaFunction } from './constructs/lambda-function.js';
import { consumerParameterPaths, sharedParameterPaths } from './ssm-parameters.js';

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
      entry: fileURLToPath(new URL('../lambdas/extraction/handler.ts', import.meta.url)),
      lazyModules: [
        {
          importPath: './adapters/openai-tag-extractor.js',
          source: fileURLToPath(new URL('../lambdas/extraction/adapters/openai-tag-extractor.ts', import.meta.url)),
        },
        {
          importPath: './dry-run.js',
          source: fileURLToPath(new URL('../lambdas/extraction/dry-run.ts', import.meta.url)),
        },
      ],
      description: 'devlog-tags: extracts tech-stack tags of new entries with OpenAI',
      timeout: functionTimeout,
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
        OPENAI_REQUESTS_PER_MINUTE: String(
          Math.floor(config.openAiRequestsPerMinute / CONSUMER_SETTINGS.maxConcurrency),
        ),
        POWERTOOLS_METRICS_NAMESPACE: EXTRACTION_TELEMETRY.namespace,
      },
    });
    this.openAiSecret.grantRead(this.extractionFunction);
    this.grantEntryTagAccess(tableArn);

    const alarms = new OperationalAlarms(this, 'Alarms', {
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
        const violation = visibilityTimeoutViolation(
          QUEUE_SETTINGS.visibilityTimeoutSeconds,
          functionTimeout.toSeconds(),
        );
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

  /** Read entries, and update only the extraction's attributes: no scan, query, put or delete. */
  private grantEntryTagAccess(tableArn: string): void {
    this.extractionFunction.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['dynamodb:GetItem'], resources: [tableArn] }),
    );
    this.extractionFunction.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:UpdateItem'],
        resources: [tableArn],
        conditions: {
          'ForAllValues:StringEquals': {
            // The revision too: its writes are conditional on it, and conditions count as named attributes.
            'dynamodb:Attributes': [ENTRY_TABLE.partitionKey, ENTRY_TABLE.sortKey, ...ENTRY_TABLE.extractionAttributes, ENTRY_TABLE.revisionAttribute],
          },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE'] },
        },
      }),
    );
  }

  /** Alarms to the stage's alarm topic, which the API stack owns and publishes in SSM. */
  private createAlarms(alarms: OperationalAlarms, config: StageConfig): void {
    alarms.add('ExtractionErrors', {
      metric: this.extractionFunction.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
      threshold: 1,
      description: 'The extraction function crashed (not a record failure): check its logs.',
    });
    alarms.add('ExtractionThrottles', {
      metric: this.extractionFunction.metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum' }),
      threshold: 10,
      description: 'The extraction function is throttled: account concurrency is exhausted.',
      evaluationPeriods: 3,
    });
    // Published once per container (lambdas/extraction/handler.ts): the lowest value of the hour.
    for (const [index, model] of [config.openAiModel, ...config.openAiFallbackModels].entries()) {
      alarms.add(index === 0 ? 'ModelShutdownSoon' : `FallbackModel${index}ShutdownSoon`, {
        metric: new Metric({
          namespace: EXTRACTION_TELEMETRY.namespace,
          metricName: EXTRACTION_TELEMETRY.daysToModelShutdownMetric,
          dimensionsMap: { service: EXTRACTION_TELEMETRY.serviceName, Model: model },
          statistic: 'Minimum',
          period: Duration.hours(1),
        }),
        threshold: MODEL_SHUTDOWN_ALARM_DAYS,
        below: true,
        description: `Model ${model} shuts down in under ${MODEL_SHUTDOWN_ALARM_DAYS} days: migrate (README, model-migration runbook).`,
      });
    }
  }

  private acknowledgeNagFindings(): void {
    Validations.of(this.openAiSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'A third-party OpenAI key cannot be rotated by a Lambda; rotate it at OpenAI and put-secret-value.',
    });
  }
}
