import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { LocalFunctionPolicies } from '../../local/iam/local-iam.js';
import { childStackEnvironment } from '../../local/stack-launcher.js';
import {
  type InterposedEndpoints,
  type LocalStack,
  type LocalStackOptions,
  type ServiceEndpoints,
  startLocalStack,
} from '../../local/stack.js';
import { localTarget, type OpsTarget } from '../../ops/targets.js';
import { type ModelServer, type ModelServerOptions, startModelServer } from '../../tools/tag-extraction/model-server/index.js';
import { ApiClient } from './api-client.js';
import { testModelEnv } from './entries.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

/** The fault-injection proxies in front of the emulators, as the handlers see them. */
export interface StackFaults {
  dynamoDb: FaultProxy;
  sqs: FaultProxy;
}

/** A local stack running inside this test process, with what a test needs around it. */
export interface TestStack {
  stack: LocalStack;
  apiUrl: string;
  dataDir: string;
  /** The table and queues as the ops scripts see them (straight to the emulators, never through a fault proxy). */
  ops: OpsTarget;
  /** Only with `faultInjection`: the proxies between the handlers and the emulators. */
  faults?: StackFaults;
  /** Only with `model`: the test model server the extraction calls. */
  model?: ModelServer;
  /** Every line the stack logged (requests, batches, reconciler). */
  readonly logs: string[];
  /** Every Powertools JSON line the handlers logged (at LOG_LEVEL, SILENT unless TEST_HANDLER_LOG_LEVEL says otherwise). */
  readonly handlerLogs: string[];
  /** An API client for a user of this stack. */
  client(userId: string): Promise<ApiClient>;
  /** Stops the stack (and its model server) and removes its data directory; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the local stack in this process on a fresh data directory and a free port. `env` holds
 * local settings and handler settings such as OPENAI_TIMEOUT_MS, on top of this process's
 * environment without the settings a developer's shell may hold; nothing is written to process.env.
 * The handlers' JSON lines are kept in `handlerLogs`. With `model`, a test model server with
 * those options answers the extraction (`env` may still override its settings).
 */
export async function startTestStack(
  options: {
    env?: Record<string, string>;
    model?: ModelServerOptions;
    faultInjection?: boolean;
    functionPolicies?: LocalFunctionPolicies;
    consumer?: LocalStackOptions['consumer'];
  } = {},
): Promise<TestStack> {
  const model = options.model ? await startModelServer(options.model) : undefined;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'devlog-test-stack-'));
  const env = childStackEnvironment({
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_HANDLER_LOG_LEVEL ?? 'SILENT',
    ...(model ? testModelEnv(model) : {}),
    ...options.env,
  });
  const handlerLogs: string[] = [];
  const handlerLog = (line: string) => {
    handlerLogs.push(line);
    if (process.env.TEST_STACK_LOG) console.log(line);
  };
  const logs: string[] = [];
  const log = (line: string) => {
    logs.push(line);
    if (process.env.TEST_STACK_LOG) console.log(line);
  };

  let faults: StackFaults | undefined;
  const interposeFaultProxies = async (emulators: ServiceEndpoints): Promise<InterposedEndpoints> => {
    faults = await startFaultProxies(emulators);
    const { dynamoDb, sqs } = faults;
    return {
      endpoints: { dynamoDb: dynamoDb.endpoint, sqs: sqs.endpoint },
      stop: async () => void (await Promise.all([dynamoDb.stop(), sqs.stop()])),
    };
  };
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      env,
      log,
      handlerLog,
      ...(options.functionPolicies ? { functionPolicies: options.functionPolicies } : {}),
      ...(options.faultInjection ? { interposeHandlerEndpoints: interposeFaultProxies } : {}),
      ...(options.consumer ? { consumer: options.consumer } : {}),
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    await model?.stop();
    throw error;
  }
  const ops = localTarget(dataDir);
  let stopped: Promise<void> | undefined;
  return {
    stack,
    apiUrl: stack.apiUrl,
    dataDir,
    ops,
    ...(faults ? { faults } : {}),
    ...(model ? { model } : {}),
    logs,
    handlerLogs,
    client: async (userId) => new ApiClient(stack.apiUrl, await stack.issueToken(userId)),
    stop() {
      stopped ??= (async () => {
        try {
          await stack.stop();
        } finally {
          ops.documentClient.destroy();
          ops.sqsClient.destroy();
          await rm(dataDir, { recursive: true, force: true });
          await model?.stop();
        }
      })();
      return stopped;
    },
  };
}

/**
 * Starts a test stack before the file's tests and stops it after them (vitest's beforeAll and
 * afterAll), for a file whose tests share one stack; the returned function gives the running
 * stack inside tests and later hooks.
 */
export function useTestStack(options: Parameters<typeof startTestStack>[0] = {}): () => TestStack {
  let test: TestStack | undefined;
  beforeAll(async () => {
    test = await startTestStack(options);
  });
  afterAll(async () => {
    await test?.stop();
  });
  return () => {
    if (!test) throw new Error('the test stack is not running: read it inside a test or a later hook');
    return test;
  };
}

/** A fault proxy in front of each emulator; none left running when one fails to start. */
async function startFaultProxies(emulators: ServiceEndpoints): Promise<StackFaults> {
  const [dynamoDb, sqs] = await Promise.allSettled([
    startFaultProxy({ targetEndpoint: emulators.dynamoDb }),
    startFaultProxy({ targetEndpoint: emulators.sqs }),
  ]);
  if (dynamoDb.status === 'fulfilled' && sqs.status === 'fulfilled') return { dynamoDb: dynamoDb.value, sqs: sqs.value };
  await Promise.all([dynamoDb, sqs].map((started) => (started.status === 'fulfilled' ? started.value.stop() : undefined)));
  const [firstFailure] = [dynamoDb, sqs].flatMap((started) => (started.status === 'rejected' ? [started.reason] : []));
  throw firstFailure;
}
