import { describe, expect, it } from 'vitest';
import {
  API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS,
  PREFER_WAIT_MAX_SECONDS,
  WEB_FUNCTION_TIMEOUTS_SECONDS,
} from '../../../lambdas/devlog-api/function-timeouts.js';
import { WAIT_RESERVE_MS } from '../../../lambdas/devlog-api/api/http/router.js';
import { awsCallBudget } from '../../../lambdas/contract/index.js';

describe('the API function timeout', () => {
  it('holds the longest Prefer: wait plus the reserve for a last read at its worst and the answer', () => {
    expect(WAIT_RESERVE_MS).toBe(awsCallBudget(WEB_FUNCTION_TIMEOUTS_SECONDS.api).worstCaseMs + 500);
    expect(WEB_FUNCTION_TIMEOUTS_SECONDS.api * 1000).toBeGreaterThanOrEqual(PREFER_WAIT_MAX_SECONDS * 1000 + WAIT_RESERVE_MS);
  });

  it("stays under API Gateway's integration timeout, with room for the gateway's own work", () => {
    expect(WEB_FUNCTION_TIMEOUTS_SECONDS.api).toBeLessThanOrEqual(API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS - 2);
  });
});
