import type { Logger } from '@aws-lambda-powertools/logger';
import { type CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod/mini';
import { type DryRunCase, dryRunCases } from './dry-run-cases.js';

/** The pre-traffic hook's configuration (lib/tag-extraction/canary-release.ts sets it). */
export interface PreTrafficHookEnv {
  /** The qualified ARN of the version about to take traffic (`...:function:name:12`). */
  NEW_VERSION_ARN: string;
}

/** What the hook is built from besides its configuration. */
export interface PreTrafficHookDeps {
  lambdaClient: LambdaClient;
  codeDeployClient: CodeDeployClient;
  logger: Pick<Logger, 'info' | 'error'>;
}

/** What CodeDeploy passes a lifecycle hook. */
export interface LifecycleHookEvent {
  DeploymentId: string;
  LifecycleEventHookExecutionId: string;
}

/** What invoking the new version returned. */
interface Invocation {
  functionError?: string;
  executedVersion?: string;
  payload: string;
}

const EnvSchema = z.object({ NEW_VERSION_ARN: z.string().check(z.regex(/^arn:[^:]+:lambda:[^:]+:\d{12}:function:[^:]+:\d+$/)) });

const HookEventSchema = z.object({
  DeploymentId: z.string().check(z.minLength(1)),
  LifecycleEventHookExecutionId: z.string().check(z.minLength(1)),
});

// The hook's own reading of the dry-run report: only what it judges.
const ReportSchema = z.object({
  dryRun: z.literal(true),
  results: z.array(
    z.union([
      z.object({ valid: z.literal(true), version: z.number(), tags: z.array(z.string()) }),
      z.object({ valid: z.literal(false), error: z.string() }),
    ]),
  ),
});

/** Reads and validates the hook's environment once, at cold start. */
export function readPreTrafficHookEnv(env: NodeJS.ProcessEnv): PreTrafficHookEnv {
  return EnvSchema.parse(env);
}

/**
 * Builds the CodeDeploy BeforeAllowTraffic hook of an extraction release: it invokes the new
 * version with the dry-run cases (contract fixtures of every accepted version, and the invalid
 * bodies) and reports Succeeded only when every answer is what the cases expect; any error,
 * a crash, an unreadable answer or a wrong version reports Failed, which rolls the release back
 * before any traffic shifted. Throws when it cannot report (CodeDeploy then fails the hook
 * at its timeout: closed either way).
 */
export function createPreTrafficHook(env: PreTrafficHookEnv, { lambdaClient, codeDeployClient, logger }: PreTrafficHookDeps) {
  const newVersion = env.NEW_VERSION_ARN.slice(env.NEW_VERSION_ARN.lastIndexOf(':') + 1);
  const invoke = async (event: unknown): Promise<Invocation> => {
    const response = await lambdaClient.send(
      new InvokeCommand({ FunctionName: env.NEW_VERSION_ARN, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
    );
    return {
      functionError: response.FunctionError,
      executedVersion: response.ExecutedVersion,
      payload: new TextDecoder().decode(response.Payload ?? new Uint8Array()),
    };
  };

  return async (event: LifecycleHookEvent): Promise<void> => {
    const hook = HookEventSchema.parse(event);
    const cases = dryRunCases();
    let problems: string[];
    try {
      problems = dryRunProblems(cases, await invoke({ dryRun: true, records: cases.map((c) => c.record) }), newVersion);
    } catch (error) {
      problems = [`the dry run could not be run: ${error instanceof Error ? error.message : String(error)}`];
    }
    const status = problems.length === 0 ? 'Succeeded' : 'Failed';
    if (status === 'Failed') {
      logger.error(`pre-traffic check of version ${newVersion} failed: the release rolls back`, {
        problems,
        deploymentId: hook.DeploymentId,
      });
    } else {
      logger.info(`pre-traffic check of version ${newVersion} passed ${cases.length} dry-run cases`, { deploymentId: hook.DeploymentId });
    }
    await codeDeployClient.send(
      new PutLifecycleEventHookExecutionStatusCommand({
        deploymentId: hook.DeploymentId,
        lifecycleEventHookExecutionId: hook.LifecycleEventHookExecutionId,
        status,
      }),
    );
  };
}

/** What is wrong with the new version's dry-run answer; empty when every case came out as expected. */
function dryRunProblems(cases: DryRunCase[], invocation: Invocation, newVersion: string): string[] {
  if (invocation.functionError) return [`the new version failed (${invocation.functionError}): ${invocation.payload.slice(0, 500)}`];
  if (invocation.executedVersion !== newVersion) {
    return [`version ${invocation.executedVersion ?? '(none)'} answered instead of version ${newVersion}`];
  }
  let answer: unknown;
  try {
    answer = JSON.parse(invocation.payload);
  } catch {
    return [`the answer is not JSON: ${invocation.payload.slice(0, 200)}`];
  }
  const report = ReportSchema.safeParse(answer);
  if (!report.success) return [`the answer is not a dry-run report: ${invocation.payload.slice(0, 200)}`];
  const { results } = report.data;
  if (results.length !== cases.length) return [`${results.length} results for ${cases.length} cases`];
  return cases.flatMap((testCase, index) => {
    const result = results[index];
    const expected = testCase.expected;
    if (!result) return [`${testCase.name}: no result`];
    if (!expected.valid) return result.valid ? [`${testCase.name}: accepted, must be rejected`] : [];
    if (!result.valid) return [`${testCase.name}: rejected (${result.error})`];
    if (result.version !== expected.version) return [`${testCase.name}: read as version ${result.version}`];
    const tags = JSON.stringify(result.tags);
    return tags === JSON.stringify(expected.tags) ? [] : [`${testCase.name}: tags ${tags}, expected ${JSON.stringify(expected.tags)}`];
  });
}
