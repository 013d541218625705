import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { publishBatchMetrics } from '../../../lambdas/tag-extraction/batch-metrics.js';

interface EmfBlob {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

let printed: string[];

beforeEach(() => {
  // Powertools prints through the global console in dev mode, where the test can read it.
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => {
    printed.push(line);
  });
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function publishedBlob(): EmfBlob {
  const blobs = printed.map((line) => JSON.parse(line) as EmfBlob).filter((blob) => blob._aws);
  expect(blobs).toHaveLength(1);
  return blobs[0]!;
}

describe('publishBatchMetrics', () => {
  it('publishes every metric per service and per function version, so alarms can judge one version', () => {
    // Arrange
    const metrics = new Metrics({ namespace: 'DevLogTags', serviceName: 'tag-extraction' });
    metrics.addMetric('UngroundedTagsDropped', MetricUnit.Count, 2);

    // Act
    publishBatchMetrics(metrics, '7', 10, 3);

    // Assert
    const blob = publishedBlob();
    expect(blob._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'ExecutedVersion'], ['service']]);
    expect(blob).toMatchObject({
      service: 'tag-extraction',
      ExecutedVersion: '7',
      RecordsProcessed: 10,
      RecordsFailed: 3,
      UngroundedTagsDropped: 2,
    });
  });

  it('starts the next invocation without the version sets, so they are never doubled', () => {
    // Arrange
    const metrics = new Metrics({ namespace: 'DevLogTags', serviceName: 'tag-extraction' });
    publishBatchMetrics(metrics, '7', 1, 0);
    printed = [];

    // Act
    publishBatchMetrics(metrics, '7', 2, 2);

    // Assert
    const blob = publishedBlob();
    expect(blob._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'ExecutedVersion'], ['service']]);
    expect(blob).toMatchObject({ RecordsProcessed: 2, RecordsFailed: 2 });
  });
});
