import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { EXTRACTION_METRICS, EXTRACTION_TELEMETRY } from './telemetry.js';

/**
 * Counts a batch's records and those reported failed, then publishes every stored metric under
 * two dimension sets: the service alone (the totals on the dashboard) and the service with the
 * function version (what a canary's alarms judge). A thrown batch counts all its records failed.
 */
export function publishBatchMetrics(
  metrics: Pick<Metrics, 'addMetric' | 'addDimensions' | 'publishStoredMetrics'>,
  functionVersion: string,
  records: number,
  failed: number,
): void {
  metrics.addMetric(EXTRACTION_METRICS.recordsProcessed, MetricUnit.Count, records);
  metrics.addMetric(EXTRACTION_METRICS.recordsFailed, MetricUnit.Count, failed);
  // No await from here to the publish: overlapping invocations of one container share the store
  // outside Lambda's invoke store, and must not see each other's dimension sets.
  metrics.addDimensions({ [EXTRACTION_TELEMETRY.versionDimension]: functionVersion });
  // An empty set is the service dimension alone, so the totals keep their series.
  metrics.addDimensions({});
  metrics.publishStoredMetrics();
}
