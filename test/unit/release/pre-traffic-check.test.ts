import 'aws-sdk-client-mock-vitest/extend';
import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ACCEPTED_JOB_MESSAGE_VERSIONS } from '../../../lambdas/contract/index.js';
import { INVALID_JOB_MESSAGE_BODIES, JOB_MESSAGE_FIXTURES } from '../../../lambdas/contract/fixtures/index.js';
import type { DryRunReport } from '../../../lambdas/tag-extraction/dry-run-event.js';
import { runDryRun } from '../../../lambdas/tag-extraction/dry-run.js';
import { createPreTrafficHook, readPreTrafficHookEnv } from '../../../lambdas/tag-extraction/release/pre-traffic-check.js';

const NEW_VERSION_ARN = 'arn:aws:lambda:eu-central-1:123456789012:function:TagExtraction-prod-ExtractionFunction:12';
const HOOK_EVENT = { DeploymentId: 'd-ABCDEF123', LifecycleEventHookExecutionId: 'hook-execution-1' };

const lambda = mockClient(LambdaClient);
const codeDeploy = mockClient(CodeDeployClient);
const logger = { info: vi.fn(), error: vi.fn() };

/** A Lambda response payload as the SDK returns it (a Uint8Array with string helpers the hook does not use). */
function payload(text: string): InvokeCommandOutput['Payload'] {
  return new TextEncoder().encode(text) as InvokeCommandOutput['Payload'];
}

/** The hook as deployed, with mocked SDK clients. */
function hook() {
  return createPreTrafficHook(readPreTrafficHookEnv({ NEW_VERSION_ARN }), {
    lambdaClient: new LambdaClient({ region: 'eu-central-1' }),
    codeDeployClient: new CodeDeployClient({ region: 'eu-central-1' }),
    logger,
  });
}

/** The new version answering the dry run with the real dry-run code, its report optionally altered. */
function newVersionAnswers(alter: (report: DryRunReport) => unknown = (report) => report, executedVersion = '12') {
  lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
    const event = JSON.parse(new TextDecoder().decode(input.Payload));
    const report = runDryRun(event, { serviceVersion: '1.2.0', functionVersion: executedVersion });
    return { StatusCode: 200, ExecutedVersion: executedVersion, Payload: payload(JSON.stringify(alter(report))) };
  });
}

function reportedStatus(): string | undefined {
  expect(codeDeploy).toHaveReceivedCommandTimes(PutLifecycleEventHookExecutionStatusCommand, 1);
  const input = codeDeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0]!.args[0].input;
  expect(input).toMatchObject({
    deploymentId: HOOK_EVENT.DeploymentId,
    lifecycleEventHookExecutionId: HOOK_EVENT.LifecycleEventHookExecutionId,
  });
  return input.status;
}

beforeEach(() => {
  lambda.reset();
  codeDeploy.reset();
  codeDeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
  logger.info.mockClear();
  logger.error.mockClear();
});

describe('pre-traffic hook', () => {
  it('dry-runs the new version on the fixture of every accepted version and the invalid bodies, then reports Succeeded', async () => {
    // Arrange
    newVersionAnswers();

    // Act
    await hook()(HOOK_EVENT);

    // Assert
    expect(reportedStatus()).toBe('Succeeded');
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const invoke = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(invoke.FunctionName).toBe(NEW_VERSION_ARN);
    const sent = JSON.parse(new TextDecoder().decode(invoke.Payload as Uint8Array)) as { dryRun: boolean; records: { body: string }[] };
    expect(sent.dryRun).toBe(true);
    expect(sent.records.map((record) => record.body)).toEqual([
      ...ACCEPTED_JOB_MESSAGE_VERSIONS.map((version) => JSON.stringify(JOB_MESSAGE_FIXTURES[version])),
      ...Object.values(INVALID_JOB_MESSAGE_BODIES),
    ]);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it.each([
    [
      'the new version crashes',
      () =>
        lambda
          .on(InvokeCommand)
          .resolves({ StatusCode: 200, ExecutedVersion: '12', FunctionError: 'Unhandled', Payload: payload('{"errorMessage":"boom"}') }),
    ],
    ['the invocation fails', () => lambda.on(InvokeCommand).rejects(new Error('socket hang up'))],
    ['another version answers', () => newVersionAnswers(undefined, '11')],
    [
      'the answer is not JSON',
      () => lambda.on(InvokeCommand).resolves({ StatusCode: 200, ExecutedVersion: '12', Payload: payload('null}') }),
    ],
    ['the answer is no dry-run report (the batch path answered)', () => newVersionAnswers(() => ({ batchItemFailures: [] }))],
    ['a result is missing', () => newVersionAnswers((report) => ({ ...report, results: report.results.slice(1) }))],
    [
      'an accepted version is rejected',
      () =>
        newVersionAnswers((report) => ({ ...report, results: [{ valid: false, error: 'unknown version' }, ...report.results.slice(1)] })),
    ],
    [
      'an invalid body is accepted',
      () =>
        newVersionAnswers((report) => ({
          ...report,
          results: report.results.map((result) => ({ ...result, valid: true, version: 1, tags: [] })),
        })),
    ],
    [
      'an ungrounded tag is kept',
      () =>
        newVersionAnswers((report) => ({
          ...report,
          results: report.results.map((result) => (result.valid ? { ...result, tags: [...result.tags, 'Kubernetes'] } : result)),
        })),
    ],
  ])('reports Failed when %s', async (_name, arrange) => {
    // Arrange
    arrange();

    // Act
    await hook()(HOOK_EVENT);

    // Assert
    expect(reportedStatus()).toBe('Failed');
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('version 12 failed'),
      expect.objectContaining({ problems: expect.arrayContaining([expect.any(String)]) }),
    );
  });

  it('throws when it cannot report, so CodeDeploy fails the hook at its timeout', async () => {
    // Arrange
    newVersionAnswers();
    codeDeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new Error('AccessDenied'));

    // Act
    const run = hook()(HOOK_EVENT);

    // Assert
    await expect(run).rejects.toThrow('AccessDenied');
  });

  it('refuses an event without the deployment and hook execution ids, invoking nothing', async () => {
    // Act
    const run = hook()({ DeploymentId: '', LifecycleEventHookExecutionId: 'x' });

    // Assert
    await expect(run).rejects.toThrow();
    expect(lambda).not.toHaveReceivedAnyCommand();
    expect(codeDeploy).not.toHaveReceivedAnyCommand();
  });

  it('refuses to start without the qualified ARN of the new version', () => {
    expect(() => readPreTrafficHookEnv({ NEW_VERSION_ARN: NEW_VERSION_ARN.replace(/:12$/, '') })).toThrow();
    expect(() => readPreTrafficHookEnv({})).toThrow();
  });
});
