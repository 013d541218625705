import { CONSUMER_SETTINGS } from '../lambdas/contract/index.js';
import { EXTRACTION_SERVICE_VERSION } from '../lambdas/tag-extraction/version.js';
import { LOCAL_RESOURCES } from './settings.js';

/** Where the local resources are, for the handlers' configuration. */
export interface HandlerEnvironmentInput {
  tableName: string;
  /** The tags table the API reads the tech stack from; the aggregator's only table to write. */
  tagsTableName: string;
  queueUrl: string;
  openAiSecretId: string;
  openAiBaseUrl?: string;
  openAiModel?: string;
  /** Timeout the local poller enforces on the extraction function. */
  extractionTimeoutSeconds: number;
  openAiFallbackModels?: string;
  openAiReasoningEffort?: string;
  openAiServiceTier?: string;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  /** How old a pending entry's job must be before the reconciler re-sends it. */
  reconcileGraceSeconds?: number;
  /** Entries per user and UTC day; the API function's default when unset. */
  dailyEntryQuota?: number;
  /** Open `Prefer: wait` GETs per user; the API function's default when unset. */
  maxOpenWaitsPerUser?: number;
}

/**
 * The environment variables the handlers' configuration is read from, as the stacks set them;
 * the local stack parses them with the handlers' own readers (readApiEnv ...), never through
 * process.env. Endpoints, region and credentials go to the SDK clients directly (local/handlers.ts).
 */
export function handlerEnvironment(input: HandlerEnvironmentInput): Record<string, string> {
  return {
    TABLE_NAME: input.tableName,
    TAGS_TABLE_NAME: input.tagsTableName,
    QUEUE_URL: input.queueUrl,
    EVENT_BUS_NAME: LOCAL_RESOURCES.eventBusName,
    OPENAI_SECRET_ID: input.openAiSecretId,
    ...(input.openAiBaseUrl ? { OPENAI_BASE_URL: input.openAiBaseUrl } : {}),
    ...(input.openAiModel ? { OPENAI_MODEL: input.openAiModel } : {}),
    ...(input.openAiFallbackModels ? { OPENAI_FALLBACK_MODELS: input.openAiFallbackModels } : {}),
    ...(input.openAiReasoningEffort ? { OPENAI_REASONING_EFFORT: input.openAiReasoningEffort } : {}),
    ...(input.openAiServiceTier ? { OPENAI_SERVICE_TIER: input.openAiServiceTier } : {}),
    // As the extraction stack sets them, from the contract and the service's version.
    SERVICE_VERSION: EXTRACTION_SERVICE_VERSION,
    FUNCTION_TIMEOUT_SECONDS: String(input.extractionTimeoutSeconds),
    RECORD_CONCURRENCY: String(CONSUMER_SETTINGS.recordConcurrency),
    RETRY_BASE_SECONDS: String(input.retryBaseSeconds),
    RETRY_MAX_SECONDS: String(input.retryMaxSeconds),
    ...(input.dailyEntryQuota ? { DAILY_ENTRY_QUOTA: String(input.dailyEntryQuota) } : {}),
    ...(input.maxOpenWaitsPerUser ? { MAX_OPEN_WAITS_PER_USER: String(input.maxOpenWaitsPerUser) } : {}),
    ...(input.reconcileGraceSeconds ? { RECONCILE_GRACE_SECONDS: String(input.reconcileGraceSeconds) } : {}),
  };
}
