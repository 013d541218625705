import 'aws-sdk-client-mock-vitest/extend';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CONSUMER_VERSIONS_FAILED_READ_MAX_AGE_MS,
  CONSUMER_VERSIONS_MAX_AGE_MS,
  sameCheckoutJobMessageVersion,
  ssmJobMessageVersion,
} from '../../../../lambdas/devlog-api/adapters/consumer-versions.js';
import { readSsmParameter } from '../../../../lambdas/devlog-api/adapters/ssm-parameter.js';
import { LATEST_JOB_MESSAGE_VERSION } from '../../../../lambdas/contract/index.js';

const PARAMETER = '/devlog-tags/dev/extraction/accepted-job-message-versions';
const ssm = mockClient(SSMClient);

function source(now = () => 0) {
  const logger = { warn: vi.fn() };
  const next = ssmJobMessageVersion({ parameterName: PARAMETER, readParameter: readSsmParameter, now, logger });
  return { next, logger };
}

beforeEach(() => {
  ssm.reset();
});

describe('ssmJobMessageVersion', () => {
  it.each([
    ['1', 1],
    ['1,2', 2],
    [' 2 , 1 ', 2],
    ['1,2,3', 2],
  ])('sends the newest version both sides know when the consumer accepts "%s"', async (value, expected) => {
    // Arrange
    ssm.on(GetParameterCommand, { Name: PARAMETER }).resolves({ Parameter: { Value: value } });

    // Act
    const version = await source().next();

    // Assert
    expect(version).toBe(expected);
  });

  it('sends the baseline version, with a warning, while the extraction stack has not published the parameter', async () => {
    // Arrange
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    const { next, logger } = source();

    // Act
    const version = await next();

    // Assert
    expect(version).toBe(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('baseline'), expect.objectContaining({ parameterName: PARAMETER }));
  });

  it('sends the baseline version for a value naming no version it knows', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'seven' } });
    expect(await source().next()).toBe(1);
  });

  it('reads SSM once for concurrent and later sends, and again only after the maximum age', async () => {
    // Arrange
    let clock = 0;
    ssm
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Value: '1' } })
      .resolves({ Parameter: { Value: '1,2' } });
    const { next } = source(() => clock);

    // Act
    const first = await Promise.all([next(), next(), next()]);
    clock = CONSUMER_VERSIONS_MAX_AGE_MS - 1;
    const stillCached = await next();
    clock = CONSUMER_VERSIONS_MAX_AGE_MS;
    const reread = await next();

    // Assert
    expect(first).toEqual([1, 1, 1]);
    expect(stillCached).toBe(1);
    expect(reread).toBe(2);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it.each([
    ['unreadable', new Error('ThrottlingException')],
    ['missing', new ParameterNotFound({ message: 'not found', $metadata: {} })],
  ])(
    'keeps a failed read (%s) only briefly: concurrent sends share it, and the newest version is sent soon after SSM answers',
    async (_case, failure) => {
      // Arrange
      let clock = 0;
      ssm
        .on(GetParameterCommand)
        .rejectsOnce(failure)
        .resolves({ Parameter: { Value: '1,2' } });
      const { next } = source(() => clock);

      // Act
      const duringBlip = await Promise.all([next(), next()]);
      clock = CONSUMER_VERSIONS_FAILED_READ_MAX_AGE_MS - 1;
      const stillKept = await next();
      clock = CONSUMER_VERSIONS_FAILED_READ_MAX_AGE_MS;
      const afterBlip = await next();

      // Assert
      expect(duringBlip).toEqual([1, 1]);
      expect(stillKept).toBe(1);
      expect(afterBlip).toBe(2);
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
      expect(CONSUMER_VERSIONS_FAILED_READ_MAX_AGE_MS).toBeLessThanOrEqual(CONSUMER_VERSIONS_MAX_AGE_MS / 10);
    },
  );
});

describe('sameCheckoutJobMessageVersion', () => {
  it('sends the latest version, since the consumer runs the same contract', async () => {
    expect(await sameCheckoutJobMessageVersion()).toBe(LATEST_JOB_MESSAGE_VERSION);
  });
});
