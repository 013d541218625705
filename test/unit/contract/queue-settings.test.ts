import { describe, expect, it } from 'vitest';
import { CONSUMER_SETTINGS, QUEUE_SETTINGS, visibilityTimeoutViolation } from '../../../lambdas/contract/index.js';

describe('visibilityTimeoutViolation', () => {
  it('holds for the settings both stacks use', () => {
    expect(visibilityTimeoutViolation(QUEUE_SETTINGS.visibilityTimeoutSeconds, CONSUMER_SETTINGS.functionTimeoutSeconds)).toBeUndefined();
  });

  it('holds at exactly six times the function timeout', () => {
    expect(visibilityTimeoutViolation(360, 60)).toBeUndefined();
  });

  it('explains a timeout one second short', () => {
    expect(visibilityTimeoutViolation(359, 60)).toBe('queue visibility timeout 359s is below 6 x function timeout (60s) = 360s');
  });
});
