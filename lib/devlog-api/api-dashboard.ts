import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { DefaultDashboardFactory, MonitoringFacade } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';

/** What the API dashboard shows. */
export interface ApiDashboardProps {
  stage: string;
  api: IHttpApi;
  /** The HTTP API's access logs (JSON with method, path and status). */
  accessLogs: ILogGroup;
}

/** The metric the access logs yield for each accepted entry (a `202` to `POST /logs`). */
export const ENTRIES_ACCEPTED_METRIC = { metricNamespace: 'DevLogTags', metricName: 'EntriesAccepted' } as const;

/** The dashboard's name, one per stack. */
export function apiDashboardName(stage: string): string {
  return `devlog-tags-${stage}-api`;
}

/**
 * The web team's dashboard, built with cdk-monitoring-constructs: its HTTP API segment draws
 * requests, latency percentiles and 4xx/5xx, and a custom segment the entries accepted, counted
 * from the access logs by a metric filter (so the handler publishes nothing for it; an
 * idempotent replay answers 202 too and counts again).
 */
export class ApiDashboard extends Construct {
  constructor(scope: Construct, id: string, props: ApiDashboardProps) {
    super(scope, id);
    const accepted = new MetricFilter(this, 'EntriesAccepted', {
      logGroup: props.accessLogs,
      ...ENTRIES_ACCEPTED_METRIC,
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.method', '=', 'POST'),
        FilterPattern.stringValue('$.path', '=', '/logs'),
        FilterPattern.stringValue('$.status', '=', '202'),
      ),
      metricValue: '1',
    });
    new MonitoringFacade(this, 'Monitoring', {
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: apiDashboardName(props.stage),
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    })
      .monitorApiGatewayV2HttpApi({ api: props.api, humanReadableName: 'HTTP API', alarmFriendlyName: 'HttpApi' })
      .monitorCustom({
        humanReadableName: 'Entries',
        alarmFriendlyName: 'Entries',
        metricGroups: [
          {
            title: 'Entries accepted',
            metrics: [accepted.metric({ statistic: 'Sum', period: Duration.minutes(5), label: 'POST /logs answered 202' })],
          },
        ],
      });
  }
}
