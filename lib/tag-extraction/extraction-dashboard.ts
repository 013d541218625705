import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { DefaultDashboardFactory, MonitoringFacade } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { modelPrice } from '../../lambdas/tag-extraction/model-settings.js';
import { EXTRACTION_METRICS as METRICS, EXTRACTION_TELEMETRY } from '../../lambdas/tag-extraction/telemetry.js';

/** What the extraction dashboard shows. */
export interface ExtractionDashboardProps {
  stage: string;
  jobsQueue: IQueue;
  deadLetterQueue: IQueue;
  extractionFunction: IFunction;
  /** The configured model: its price turns tokens into an estimated cost. */
  model: string;
}

/** The dashboard's name, one per stack. */
export function extractionDashboardName(stage: string): string {
  return `devlog-tags-${stage}-extraction`;
}

/**
 * The extraction team's dashboard, built with cdk-monitoring-constructs: its SQS segment draws
 * queue depth, oldest message age and the DLQ, and its custom segment our EMF metrics (names from
 * telemetry.ts), the estimated model cost and the per-version series a canary is judged by.
 */
export class ExtractionDashboard extends Construct {
  constructor(scope: Construct, id: string, props: ExtractionDashboardProps) {
    super(scope, id);
    const ours = (metricName: string, statistic = 'Sum', label?: string) =>
      new Metric({
        namespace: EXTRACTION_TELEMETRY.namespace,
        metricName,
        dimensionsMap: { service: EXTRACTION_TELEMETRY.serviceName },
        statistic,
        label: label ?? metricName,
        period: Duration.minutes(5),
      });
    // One series per version that published in the range: during a canary, the new one and the old.
    const { namespace, serviceName, versionDimension } = EXTRACTION_TELEMETRY;
    const perVersion = (metricName: string) =>
      search(`{${namespace},service,${versionDimension}} service="${serviceName}" MetricName="${metricName}"`);

    const facade = new MonitoringFacade(this, 'Monitoring', {
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: extractionDashboardName(props.stage),
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });
    facade
      .monitorSqsQueueWithDlq({
        queue: props.jobsQueue,
        deadLetterQueue: props.deadLetterQueue,
        humanReadableName: 'Jobs queue and DLQ',
        alarmFriendlyName: 'JobsQueue',
      })
      .monitorCustom({
        humanReadableName: 'Tag extraction',
        alarmFriendlyName: 'TagExtraction',
        description:
          'EMF metrics of the extraction function (lambdas/tag-extraction/telemetry.ts), summed over all versions unless per version.',
        metricGroups: [
          {
            title: 'Entries tagged and failed',
            metrics: [ours(METRICS.entriesTagged), ours(METRICS.entriesFailed), ours(METRICS.invalidJobMessages)],
          },
          { title: 'Retries and circuit deferrals', metrics: [ours(METRICS.extractionRetries), ours(METRICS.jobsDeferredByCircuit)] },
          {
            title: 'Model latency p50 / p99 (ms)',
            metrics: [ours(METRICS.modelLatency, 'p50', 'p50'), ours(METRICS.modelLatency, 'p99', 'p99')],
          },
          { title: 'Tokens in and out', metrics: [ours(METRICS.inputTokens), ours(METRICS.outputTokens)] },
          costGroup(props.model, ours),
          { title: 'Ungrounded tags dropped', metrics: [ours(METRICS.ungroundedTagsDropped), ours(METRICS.tagsProposed)] },
          {
            title: 'Per version (a canary and the version it replaces)',
            metrics: [perVersion(METRICS.recordsProcessed), perVersion(METRICS.recordsFailed), perVersion(METRICS.ungroundedTagsDropped)],
          },
          {
            title: 'Lambda errors per version',
            metrics: [
              search(
                `{AWS/Lambda,FunctionName,Resource,ExecutedVersion} FunctionName="${props.extractionFunction.functionName}" MetricName="Errors"`,
              ),
            ],
          },
        ],
      });
  }
}

/** A SEARCH expression summed per minute: one line per dimension value it finds. */
function search(query: string): MathExpression {
  // A search needs no usingMetrics; its label must not be empty (CloudWatch names each line).
  return new MathExpression({ expression: `SEARCH('${query}', 'Sum', 60)`, usingMetrics: {}, label: ' ', period: Duration.minutes(1) });
}

/** Tokens per day times the configured model's price; without a known price the widget says so. */
function costGroup(model: string, ours: (metricName: string, statistic?: string, label?: string) => Metric) {
  const price = modelPrice(model);
  if (!price) return { title: `Estimated model cost per day: no price known for ${model} (model-settings.ts)`, metrics: [] };
  const daily = (metricName: string) => ours(metricName).with({ period: Duration.days(1) });
  return {
    title: `Estimated model cost per day (USD, ${model})`,
    metrics: [
      new MathExpression({
        expression: `(tokensIn * ${price.inputUsdPerMillionTokens} + tokensOut * ${price.outputUsdPerMillionTokens}) / 1000000`,
        usingMetrics: { tokensIn: daily(METRICS.inputTokens), tokensOut: daily(METRICS.outputTokens) },
        label: 'USD per day',
        period: Duration.days(1),
      }),
    ],
  };
}
