import { Duration, Stack } from 'aws-cdk-lib';
import { ComparisonOperator, type IAlarm, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  type CustomThreshold,
  DefaultDashboardFactory,
  type MetricWithAlarmSupport,
  MonitoringFacade,
  SnsAlarmActionStrategy,
} from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';

/** When one alarm fires and what it tells the reader. */
export interface AlarmSpec {
  threshold: number;
  /** What it means and what to do, shown in the notification. */
  description: string;
  evaluationPeriods?: number;
  /** Breaching periods among the evaluated ones that fire it; all of them unless given. */
  datapointsToAlarm?: number;
  /** Fire below the threshold instead of at or above it (e.g. days left). */
  below?: boolean;
}

/** One alarm: the metric it watches and when it fires. */
export type AlarmOn = [metric: MetricWithAlarmSupport, spec: AlarmSpec];

/**
 * A stack's alarms, declared through cdk-monitoring-constructs' facade, whose one default action
 * (an SnsAlarmActionStrategy) notifies the stage's alarm topic of ALARM and of OK. The facade
 * draws no dashboard of its own: each team's dashboard is its own construct.
 */
export class StackAlarms extends Construct {
  private readonly facade: MonitoringFacade;

  constructor(scope: Construct, id: string, props: { topic: ITopic }) {
    super(scope, id);
    const noDashboards = { createDashboard: false, createSummaryDashboard: false, createAlarmDashboard: false };
    this.facade = new MonitoringFacade(this, 'Monitoring', {
      alarmFactoryDefaults: {
        // Alarm names are the facade's: stack, concern, alarm and severity.
        alarmNamePrefix: Stack.of(this).stackName,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: props.topic, onOkTopic: props.topic }),
      },
      dashboardFactory: new DefaultDashboardFactory(this, 'NoDashboards', { dashboardNamePrefix: id, ...noDashboards }),
    });
  }

  /** Declares one concern's alarms, by name, as a facade segment; returns them in the order given. */
  watch(concern: string, alarms: Record<string, AlarmOn>): IAlarm[] {
    const before = this.facade.createdAlarms().length;
    this.facade.monitorCustom({
      alarmFriendlyName: concern,
      humanReadableName: concern,
      metricGroups: [
        {
          title: concern,
          metrics: Object.entries(alarms).map(([name, [metric, spec]]) => ({
            metric,
            alarmFriendlyName: name,
            addAlarm: { Critical: threshold(spec) },
          })),
        },
      ],
    });
    return this.facade
      .createdAlarms()
      .slice(before)
      .map((created) => created.alarm);
  }
}

/** The facade's threshold for a spec: at or above (or below) it, no data meaning all is well. */
function threshold(spec: AlarmSpec): CustomThreshold {
  // The facade's own default is 3 of 3 periods; ours is every evaluated period, one unless given.
  const evaluationPeriods = spec.evaluationPeriods ?? 1;
  return {
    threshold: spec.threshold,
    comparisonOperator: spec.below ? ComparisonOperator.LESS_THAN_THRESHOLD : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
    evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm ?? evaluationPeriods,
    additionalDescription: spec.description,
  };
}

/** The period our alarms evaluate over. */
export const ALARM_PERIOD = Duration.minutes(5);

/** A metric's maximum per alarm period (queue depth and age, iterator age). */
export const MAXIMUM = { period: ALARM_PERIOD, statistic: 'Maximum' } as const;

/** A metric's sum per alarm period (errors, throttles, 5xx). */
export const SUM = { period: ALARM_PERIOD, statistic: 'Sum' } as const;
