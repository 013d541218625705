import { describe, expect, it } from 'vitest';
import { CONSUMER_SETTINGS, QUEUE_SETTINGS, reconcileGraceSeconds } from '../../../lambdas/contract/index.js';
import { handlerEnvironment } from '../../../local/handler-environment.js';
import { localReconcileGraceSeconds, readLocalSettings } from '../../../local/settings.js';

describe("the local reconciler's grace", () => {
  it('outlasts every receive of a job that keeps failing slowly, so the reconciler never re-sends a job still being retried', () => {
    // Arrange: defaults, 5 receives, each attempt running to the 60 s function timeout
    const settings = readLocalSettings({});
    const { maxReceiveCount } = QUEUE_SETTINGS;
    const attempt = CONSUMER_SETTINGS.functionTimeoutSeconds;
    const slowestRetries = maxReceiveCount * attempt + (maxReceiveCount - 1) * settings.RETRY_MAX_SECONDS;

    // Act
    const grace = localReconcileGraceSeconds(settings);

    // Assert
    expect(grace).toBeGreaterThanOrEqual(slowestRetries);
    expect(grace).toBeGreaterThanOrEqual((maxReceiveCount - 1) * QUEUE_SETTINGS.visibilityTimeoutSeconds + attempt);
  });

  it('follows the visibility timeout and backoff a test shortens them to', () => {
    const settings = readLocalSettings({ VISIBILITY_TIMEOUT_SECONDS: '5', RETRY_MAX_SECONDS: '2' });

    expect(localReconcileGraceSeconds(settings)).toBe(4 * (60 + 2) + 60);
  });

  it('follows the extraction timeout a test shortens it to', () => {
    const settings = readLocalSettings({ VISIBILITY_TIMEOUT_SECONDS: '5', RETRY_MAX_SECONDS: '2', EXTRACTION_TIMEOUT_SECONDS: '45' });

    expect(localReconcileGraceSeconds(settings)).toBe(4 * (45 + 2) + 45);
  });

  it('takes RECONCILE_GRACE_SECONDS as given', () => {
    expect(localReconcileGraceSeconds(readLocalSettings({ RECONCILE_GRACE_SECONDS: '10' }))).toBe(10);
  });
});

describe('reconcileGraceSeconds', () => {
  it('waits the visibility timeout between receives when that is longer than an attempt plus the longest backoff', () => {
    expect(
      reconcileGraceSeconds({ functionTimeoutSeconds: 60, visibilityTimeoutSeconds: 360, retryMaxSeconds: 60, maxReceiveCount: 5 }),
    ).toBe(4 * 360 + 60);
  });
});

/** The API function's environment as `npm start` builds it from these local settings. */
function environmentOf(env: Record<string, string>): Record<string, string> {
  const settings = readLocalSettings(env);
  return handlerEnvironment({
    tableName: 't',
    tagsTableName: 'tags',
    queueUrl: 'http://127.0.0.1:1/q',
    openAiSecretId: 's',
    extractionTimeoutSeconds: 60,
    retryBaseSeconds: 2,
    retryMaxSeconds: 60,
    dailyEntryQuota: settings.DAILY_ENTRY_QUOTA,
    maxOpenWaitsPerUser: settings.MAX_OPEN_WAITS_PER_USER,
  });
}

describe('DAILY_ENTRY_QUOTA of npm start', () => {
  it('reaches the API function as its DAILY_ENTRY_QUOTA, and stays unset (the API default) when not given', () => {
    expect(environmentOf({ DAILY_ENTRY_QUOTA: '3' }).DAILY_ENTRY_QUOTA).toBe('3');
    expect(environmentOf({})).not.toHaveProperty('DAILY_ENTRY_QUOTA');
  });

  it.each(['abc', '0', '-1', '1.5'])('refuses DAILY_ENTRY_QUOTA=%s with a line naming it', (value) => {
    expect(() => readLocalSettings({ DAILY_ENTRY_QUOTA: value })).toThrow(new RegExp(`^DAILY_ENTRY_QUOTA=${value.replace('.', '\\.')}: `));
  });
});

describe('MAX_OPEN_WAITS_PER_USER of npm start', () => {
  it('reaches the API function as its MAX_OPEN_WAITS_PER_USER, and stays unset (the API default) when not given', () => {
    expect(environmentOf({ MAX_OPEN_WAITS_PER_USER: '2' }).MAX_OPEN_WAITS_PER_USER).toBe('2');
    expect(environmentOf({})).not.toHaveProperty('MAX_OPEN_WAITS_PER_USER');
  });
});
