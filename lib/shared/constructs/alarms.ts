import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** One alarm: fires when the metric reaches the threshold. */
export interface AlarmSpec {
  metric: IMetric;
  threshold: number;
  /** What it means and what to do, shown in the notification. */
  description: string;
  evaluationPeriods?: number;
  /** Breaching periods among the evaluated ones that fire it; all of them unless given. */
  datapointsToAlarm?: number;
  /** Fire below the threshold instead of at or above it (e.g. days left). */
  below?: boolean;
}

/** A stack's alarms, all notifying the stage's alarm topic of ALARM and of OK. */
export class OperationalAlarms extends Construct {
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: { topic: ITopic }) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
  }

  /** Adds an alarm that fires at or above the threshold (below it with `below`); no data means all is well. */
  add(id: string, spec: AlarmSpec): Alarm {
    const alarm = new Alarm(this, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      ...(spec.datapointsToAlarm === undefined ? {} : { datapointsToAlarm: spec.datapointsToAlarm }),
      comparisonOperator: spec.below ? ComparisonOperator.LESS_THAN_THRESHOLD : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    return alarm;
  }
}

/** The period our alarms evaluate over. */
export const ALARM_PERIOD = Duration.minutes(5);
