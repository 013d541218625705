import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { SQSClient } from '@aws-sdk/client-sqs';
import path from 'node:path';
import { WEB_FUNCTION_TIMEOUTS_SECONDS } from '../lambdas/devlog-api/function-timeouts.js';
import { MAX_ENTRY_CHARS } from '../lambdas/devlog-api/api/http/schemas.js';
import { CONSUMER_SETTINGS, ENTRY_TABLE } from '../lambdas/contract/index.js';
import { BACKFILL_LEDGER_TABLE } from '../lambdas/tag-extraction/backfill/batch-ledger.js';
import { readExtractionEnv } from '../lambdas/tag-extraction/env.js';
import { DEFAULT_OPENAI_MODEL } from '../lambdas/tag-extraction/model-settings.js';
import { LOCAL_ENDPOINTS_FILE, type LocalEndpoints } from '../ops/targets.js';
import { startApiGateway } from './api-gateway.js';
import { lockDataDir } from './data-dir.js';
import { AGGREGATOR_SETTINGS } from '../lambdas/devlog-api/aggregator/settings.js';
import { checkModelServer } from './model-check.js';
import { TAGS_TABLE } from '../lambdas/devlog-api/adapters/tags-table.js';
import { dynamoDbClientFor, ensureEntryTable, ensureKeyedTable, startDynamoDb } from './emulators/dynamodb.js';
import { startLocalStream } from './emulators/dynamodb-stream.js';
import { startLocalEventBus } from './emulators/eventbridge.js';
import { startApiDestination } from './events/api-destination.js';
import { ENTRY_EVENTS_SETTINGS, matchesEntryEventsFilter } from '../lambdas/devlog-api/entry-events/settings.js';
import { startSecretsManager } from './emulators/secrets-manager.js';
import { ensureJobQueues, sqsClientFor, startSqs } from './emulators/sqs.js';
import { handlerEnvironment } from './handler-environment.js';
import { type LocalFunctionPolicies, localAccessKeyId, startLocalIam } from './iam/local-iam.js';
import { createLocalHandlers, type LocalHandlers } from './handlers.js';
import { createJwtAuthorizer, issueLocalToken, loadOrCreateSigningKey } from './jwt.js';
import { consoleLog, type LogLine, writeLineToStdout } from './log.js';
import { resendAllPendingJobs, scheduleReconciler } from './reconciler.js';
import {
  DATA_DIR_MARKER,
  DUMMY_OPENAI_API_KEY,
  LOCAL_RESOURCES,
  localReconcileGraceSeconds,
  readLocalSettings,
  type LocalSettings,
} from './settings.js';
import { type SqsPollerOptions, startSqsPoller } from './sqs-poller.js';
import type { UsageMeter } from './metering/usage-meter.js';
import { OFFLINE_DICTIONARY_MODEL, offlineDictionary, startModelServer } from '../tools/tag-extraction/model-server/index.js';

/** A stop step this slow is named in the log, so a stop that hangs says where. */
const SLOW_STOP_STEP_MS = 1_000;

/** The entry events publisher, the stream's second consumer (as in AWS, where a shard allows two). */
const ENTRY_EVENTS_CONSUMER = 'entry-events';

/** User id of the token printed at start. */
export const DEV_USER_ID = 'dev-user';

/** Options of the local stack. */
export interface LocalStackOptions {
  /** Where settings are read from; process.env by default. */
  env?: NodeJS.ProcessEnv;
  log?: LogLine;
  /** Where the handlers' Powertools JSON log lines go; printed as they are by default, as in Lambda. */
  handlerLog?: (jsonLine: string) => void;
  /**
   * Puts something between the handlers and the DynamoDB and SQS emulators (the fault tests'
   * fault-injection proxies, test/support/fault-proxy.ts): called with the endpoints the handlers
   * would use (the IAM enforcing proxies in front of the emulators), it returns the endpoints they
   * use instead. `npm start` never sets it. The SQS poller (the managed event source mapping in
   * AWS, under the extraction's role) reaches the enforcing proxy directly; the start-up re-send
   * and the ops scripts reach the emulators directly.
   */
  interposeHandlerEndpoints?: (emulators: ServiceEndpoints) => Promise<InterposedEndpoints>;
  /**
   * The roles the functions' calls are checked against; the committed local/iam/function-policies.json
   * (the synthesized stacks' roles) by default. Tests pass a role that lacks a permission.
   */
  functionPolicies?: LocalFunctionPolicies;
  /**
   * Counts what the functions would be billed for (calls through the enforcing proxies,
   * invocations, logs, HTTP API requests); the bench reads it (bench/bill.ts). `npm start` never sets it.
   */
  meter?: UsageMeter;
  /**
   * The event source mapping's settings where a run needs others than the deployed ones: the
   * bench's cost section uses one poller with a longer window, so that each round of entries
   * fills one batch as sustained traffic does. `npm start` never sets it.
   */
  consumer?: Pick<SqsPollerOptions, 'maxConcurrency' | 'maxBatchingWindowSeconds'>;
}

/** Where DynamoDB and SQS answer. */
export interface ServiceEndpoints {
  dynamoDb: string;
  sqs: string;
}

/** What `interposeHandlerEndpoints` started: the endpoints the handlers use, and how to stop it. */
export interface InterposedEndpoints {
  endpoints: ServiceEndpoints;
  stop(): Promise<void>;
}

/** Which model answers extraction requests. */
export interface ExtractorInfo {
  kind: 'offline-standin' | 'openai' | 'openai-compatible';
  /** One line for humans. */
  description: string;
  /** What the one check of the model server at start found (reachable, model known, shutdown date). */
  check: string;
}

/** A running local stack. */
export interface LocalStack {
  apiUrl: string;
  webUrl: string;
  dataDir: string;
  extractor: ExtractorInfo;
  /** A long-lived token for DEV_USER_ID. */
  devToken: string;
  /** Milliseconds from the call to ready. */
  startupMs: number;
  /** Signs a token for any user that this stack accepts. */
  issueToken(userId: string): Promise<string>;
  /** This stack's handlers, built by their factories from its configuration (for calling them directly, as the bench does). */
  handlers: LocalHandlers;
  /** Where this stack's emulators and resources are, as the ops scripts find them. */
  endpoints: LocalEndpoints;
  /** Resolves once the aggregator has handled every stream record written so far. */
  streamDrained(): Promise<void>;
  /** Stops everything that was started, newest first. */
  stop(): Promise<void>;
}

/**
 * Starts the whole system in this process: emulators, the handlers as they run in Lambda (built
 * by their factories from this stack's configuration, so several stacks may share a process),
 * the API Gateway and event source mapping stand-ins, and the model.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const started = performance.now();
  const env = options.env ?? process.env;
  const settings = readLocalSettings(env);
  const extractionTimeoutSeconds = settings.EXTRACTION_TIMEOUT_SECONDS ?? CONSUMER_SETTINGS.functionTimeoutSeconds;
  const log = options.log ?? consoleLog;
  const cleanups: { name: string; run: () => Promise<void> | void }[] = [];
  const stopAll = async () => {
    for (const { name, run } of cleanups.splice(0).reverse()) {
      const stepStarted = performance.now();
      try {
        await run();
      } catch (error) {
        log(`stopping ${name} failed: ${(error as Error).message}`);
      }
      const tookMs = Math.round(performance.now() - stepStarted);
      if (tookMs >= SLOW_STOP_STEP_MS) log(`stopping ${name} took ${tookMs} ms`);
    }
  };

  try {
    await prepareDataDir(settings.DATA_DIR);
    cleanups.push({ name: 'data directory lock', run: await lockDataDir(settings.DATA_DIR) });
    const [dynamo, sqs] = await Promise.all([startDynamoDb({ path: path.join(settings.DATA_DIR, 'dynamodb') }), startSqs()]);
    cleanups.push({ name: 'DynamoDB emulator', run: dynamo.stop }, { name: 'SQS emulator', run: sqs.stop });
    const dynamoClient = dynamoDbClientFor(dynamo.endpoint);
    const sqsClient = sqsClientFor(sqs.endpoint);
    cleanups.push({
      name: 'SDK clients',
      run: () => {
        dynamoClient.destroy();
        sqsClient.destroy();
      },
    });

    const [, , , queues] = await Promise.all([
      ensureEntryTable(dynamoClient, LOCAL_RESOURCES.tableName),
      ensureKeyedTable(dynamoClient, LOCAL_RESOURCES.tagsTableName, TAGS_TABLE),
      ensureKeyedTable(dynamoClient, LOCAL_RESOURCES.backfillLedgerTableName, BACKFILL_LEDGER_TABLE),
      ensureJobQueues(
        sqsClient,
        { queueName: LOCAL_RESOURCES.jobsQueueName, deadLetterQueueName: LOCAL_RESOURCES.deadLetterQueueName },
        { visibilityTimeoutSeconds: settings.VISIBILITY_TIMEOUT_SECONDS },
      ),
    ]);
    // dynalite has no streams: every client writes through the stream stand-in, which feeds the
    // aggregator (the web team's, built by the same factory as in Lambda, below) in write order.
    const stream = await startLocalStream({
      client: dynamoClient,
      targetEndpoint: dynamo.endpoint,
      table: { tableName: LOCAL_RESOURCES.tableName, keyAttributes: [ENTRY_TABLE.partitionKey, ENTRY_TABLE.sortKey] },
      filter: (record) => isEntryItem(record.dynamodb?.Keys ?? {}),
      recordsItem: isEntryItem,
      batchSize: AGGREGATOR_SETTINGS.batchSize,
      retryAttempts: AGGREGATOR_SETTINGS.retryAttempts,
      functionTimeoutSeconds: AGGREGATOR_SETTINGS.functionTimeoutSeconds,
      log,
      additionalConsumers: [ENTRY_EVENTS_CONSUMER],
    });
    cleanups.push({ name: 'DynamoDB stream stand-in', run: stream.stop });
    // The stage's bus: every event to <DATA_DIR>/events.jsonl, and to LOCAL_EVENTS_URL like an API destination.
    const destination = settings.LOCAL_EVENTS_URL
      ? startApiDestination({
          url: settings.LOCAL_EVENTS_URL,
          deadLetterFile: path.join(settings.DATA_DIR, LOCAL_RESOURCES.eventsDeadLetterFile),
          log,
        })
      : undefined;
    if (destination) cleanups.push({ name: 'events API destination', run: destination.stop });
    const eventBus = await startLocalEventBus({
      busName: LOCAL_RESOURCES.eventBusName,
      eventsFile: path.join(settings.DATA_DIR, LOCAL_RESOURCES.eventsFile),
      ...(destination ? { onEvent: destination.deliver } : {}),
    });
    cleanups.push({ name: 'EventBridge stand-in', run: eventBus.stop });
    // Each function's calls are checked against its own role, as IAM does in AWS.
    const iam = await startLocalIam({
      dynamoDbTarget: stream.endpoint,
      sqsTarget: sqs.endpoint,
      tables: { entries: LOCAL_RESOURCES.tableName, tags: LOCAL_RESOURCES.tagsTableName },
      queues: { jobs: queues.queueUrl, deadLetter: queues.deadLetterQueueUrl },
      ...(options.functionPolicies ? { policies: options.functionPolicies } : {}),
      ...(options.meter ? { meter: options.meter } : {}),
    });
    cleanups.push({ name: 'IAM enforcing proxies', run: iam.stop });
    const interposed = await options.interposeHandlerEndpoints?.(iam.endpoints);
    if (interposed) cleanups.push({ name: 'interposed endpoints', run: interposed.stop });
    const handlerEndpoints = interposed?.endpoints ?? iam.endpoints;

    const model = await startModel(settings);
    if (model.stop) cleanups.push({ name: 'OpenAI stand-in', run: model.stop });
    const check = await checkModelServer({
      baseUrl: model.baseUrl,
      apiKey: model.apiKey,
      model: settings.OPENAI_MODEL ?? DEFAULT_OPENAI_MODEL,
    });
    const secrets = await startSecretsManager({ [LOCAL_RESOURCES.openAiSecretId]: model.apiKey });
    cleanups.push({ name: 'Secrets Manager stand-in', run: secrets.stop });

    // The developer's own handler settings (OPENAI_TIMEOUT_MS, RECORD_CONCURRENCY ...) pass
    // through; the resources are this stack's.
    const handlerEnv = {
      ...env,
      ...handlerEnvironment({
        tableName: LOCAL_RESOURCES.tableName,
        tagsTableName: LOCAL_RESOURCES.tagsTableName,
        queueUrl: queues.queueUrl,
        openAiSecretId: LOCAL_RESOURCES.openAiSecretId,
        openAiBaseUrl: model.baseUrl,
        openAiModel: settings.OPENAI_MODEL,
        extractionTimeoutSeconds,
        openAiFallbackModels: settings.OPENAI_FALLBACK_MODELS,
        openAiReasoningEffort: settings.OPENAI_REASONING_EFFORT,
        openAiServiceTier: settings.OPENAI_SERVICE_TIER,
        retryBaseSeconds: settings.RETRY_BASE_SECONDS,
        retryMaxSeconds: settings.RETRY_MAX_SECONDS,
        dailyEntryQuota: settings.DAILY_ENTRY_QUOTA,
        maxOpenWaitsPerUser: settings.MAX_OPEN_WAITS_PER_USER,
        reconcileGraceSeconds: localReconcileGraceSeconds(settings),
      }),
    };
    const extractionEnv = readExtractionEnv(handlerEnv);
    const { handlers, destroy: destroyHandlerClients } = createLocalHandlers({
      env: handlerEnv,
      endpoints: { ...handlerEndpoints, secretsManager: secrets.endpoint, eventBridge: eventBus.endpoint },
      handlerLog: options.handlerLog ?? writeLineToStdout,
      logLevel: settings.LOG_LEVEL,
      ...(options.meter ? { meter: options.meter } : {}),
    });
    cleanups.push({ name: 'handler SDK clients', run: destroyHandlerClients });
    stream.deliverTo(handlers.aggregator);
    stream.deliverToConsumer(ENTRY_EVENTS_CONSUMER, handlers.entryEvents, {
      filter: matchesEntryEventsFilter,
      batchSize: ENTRY_EVENTS_SETTINGS.batchSize,
      retryAttempts: ENTRY_EVENTS_SETTINGS.retryAttempts,
      functionTimeoutSeconds: ENTRY_EVENTS_SETTINGS.functionTimeoutSeconds,
      functionName: ENTRY_EVENTS_CONSUMER,
    });
    cleanups.push({ name: 'DynamoDB stream delivery', run: stream.stopDelivery });

    const resent = await resendAllPendingJobs(dynamoClient, sqsClient, LOCAL_RESOURCES.tableName, queues.queueUrl, log);
    if (resent.resent > 0) log(`re-sent the jobs of ${resent.resent} pending entries (the in-memory queue starts empty)`);
    const reconciler = scheduleReconciler(handlers.reconciler, settings.RECONCILE_INTERVAL_SECONDS, log);
    cleanups.push({ name: 'reconciler schedule', run: reconciler.stop });

    // As the event source mapping polls with the function's role, the poller signs as the extraction.
    const pollerClient = new SQSClient({
      endpoint: iam.endpoints.sqs,
      region: LOCAL_RESOURCES.region,
      credentials: { ...LOCAL_RESOURCES.credentials, accessKeyId: localAccessKeyId('extraction') },
    });
    cleanups.push({ name: 'SQS poller client', run: () => pollerClient.destroy() });
    const poller = startSqsPoller({
      client: pollerClient,
      queueUrl: queues.queueUrl,
      queueArn: queues.queueArn,
      handler: handlers.extraction,
      functionTimeoutSeconds: extractionTimeoutSeconds,
      log,
      ...options.consumer,
    });
    cleanups.push({ name: 'SQS poller', run: () => poller.stop() });

    const signingKey = await loadOrCreateSigningKey(settings.DATA_DIR);
    const devToken = await issueLocalToken(signingKey, DEV_USER_ID);
    const webPagePath = new URL('./web/index.html', import.meta.url);
    const api = await startApiGateway({
      port: settings.PORT,
      handler: handlers.api,
      authorize: createJwtAuthorizer({ publicJwk: signingKey.publicJwk }),
      functionTimeoutSeconds: WEB_FUNCTION_TIMEOUTS_SECONDS.api,
      // Read on each request so edits to the page show without a restart.
      webPage: async () =>
        (await readFile(webPagePath, 'utf8')).replace('{{DEV_TOKEN}}', devToken).replace('{{MAX_ENTRY_CHARS}}', String(MAX_ENTRY_CHARS)),
      log,
      ...(options.meter ? { meter: options.meter } : {}),
    });
    cleanups.push({ name: 'API gateway', run: api.stop });

    // `npm run redrive -- --local` and `npm run backfill -- --local` find the stack through this file.
    const endpointsFile = path.join(settings.DATA_DIR, LOCAL_ENDPOINTS_FILE);
    const endpoints: LocalEndpoints = {
      region: LOCAL_RESOURCES.region,
      dynamodbEndpoint: stream.endpoint,
      sqsEndpoint: sqs.endpoint,
      tableName: LOCAL_RESOURCES.tableName,
      queueUrl: queues.queueUrl,
      dlqUrl: queues.deadLetterQueueUrl,
      dlqArn: queues.deadLetterQueueArn,
      // The backfill builds its requests with the extraction handler's own model settings.
      backfill: {
        ledgerTableName: LOCAL_RESOURCES.backfillLedgerTableName,
        ...(model.baseUrl ? { openAiBaseUrl: model.baseUrl } : {}),
        secretsManagerEndpoint: secrets.endpoint,
        openAiSecretId: LOCAL_RESOURCES.openAiSecretId,
        model: extractionEnv.OPENAI_MODEL,
        reasoningEffort: extractionEnv.OPENAI_REASONING_EFFORT,
      },
    };
    await writeFile(endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`);
    cleanups.push({ name: 'endpoints file', run: () => rm(endpointsFile, { force: true }) });

    return {
      apiUrl: api.url,
      webUrl: `${api.url}/`,
      dataDir: settings.DATA_DIR,
      extractor: { ...model.info, check },
      devToken,
      startupMs: Math.round(performance.now() - started),
      issueToken: (userId) => issueLocalToken(signingKey, userId),
      handlers,
      endpoints,
      streamDrained: () => stream.drained(),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The model the extraction talks to, and the key it finds in Secrets Manager. */
interface ModelEndpoint {
  baseUrl?: string;
  apiKey: string;
  info: Omit<ExtractorInfo, 'check'>;
  stop?: () => Promise<void>;
}

/**
 * OPENAI_API_KEY: real OpenAI (or OPENAI_BASE_URL's server with that key). OPENAI_BASE_URL
 * alone: a keyless compatible server such as Ollama, given a dummy key. Neither: the offline
 * stand-in, so the whole flow works without network.
 */
async function startModel(settings: LocalSettings): Promise<ModelEndpoint> {
  const modelName = settings.OPENAI_MODEL ?? `${DEFAULT_OPENAI_MODEL} (the extraction default)`;
  if (settings.OPENAI_API_KEY) {
    const baseUrl = settings.OPENAI_BASE_URL;
    return {
      baseUrl,
      apiKey: settings.OPENAI_API_KEY,
      info: baseUrl
        ? { kind: 'openai-compatible', description: `OpenAI-compatible server at ${baseUrl} with OPENAI_API_KEY, model ${modelName}` }
        : { kind: 'openai', description: `OpenAI (api.openai.com) with OPENAI_API_KEY, model ${modelName}` },
    };
  }
  if (settings.OPENAI_BASE_URL) {
    return {
      baseUrl: settings.OPENAI_BASE_URL,
      apiKey: DUMMY_OPENAI_API_KEY,
      info: {
        kind: 'openai-compatible',
        description: `OpenAI-compatible server at ${settings.OPENAI_BASE_URL} (no key; a dummy one is sent), model ${modelName}`,
      },
    };
  }
  const standin = await startModelServer({ answer: offlineDictionary, apiKey: DUMMY_OPENAI_API_KEY });
  return {
    baseUrl: standin.baseUrl,
    apiKey: DUMMY_OPENAI_API_KEY,
    info: {
      kind: 'offline-standin',
      description: `offline stand-in (dictionary, model "${OFFLINE_DICTIONARY_MODEL}", no network) at ${standin.baseUrl}; set OPENAI_API_KEY or OPENAI_BASE_URL for a real model`,
    },
    stop: standin.stop,
  };
}

async function prepareDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(
    path.join(dataDir, DATA_DIR_MARKER),
    `${JSON.stringify({ note: 'State of the devlog-tags local stack (npm start); `npm start -- --reset` wipes this directory.' }, null, 2)}\n`,
  );
}

/** An entry item, the only kind whose stream records reach the aggregator (its event source filter). */
function isEntryItem(keys: Partial<Record<string, { S?: string }>>): boolean {
  return String(keys[ENTRY_TABLE.sortKey]?.S).startsWith(AGGREGATOR_SETTINGS.entrySortKeyPrefix);
}
