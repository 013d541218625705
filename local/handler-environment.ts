import { CONSUMER_SETTINGS } from '../lambdas/contract/index.js';
import { EXTRACTION_SERVICE_VERSION } from '../lambdas/extraction/version.js';
import { LOCAL_RESOURCES } from './settings.js';

/** Where the local resources are, for the handlers' environment. */
export interface HandlerEnvironmentInput {
  tableName: string;
  /** The tags table the API reads the tech stack from; the aggregator's only table to write. */
  tagsTableName?: string;
  queueUrl: string;
  sqsEndpoint: string;
  dynamoDbEndpoint: string;
  secretsManagerEndpoint: string;
  openAiSecretId: string;
  openAiBaseUrl?: string;
  openAiModel?: string;
  /** Timeout the local poller enforces on the extraction function. */
  extractionTimeoutSeconds: number;
  openAiFallbackModels?: string;
  openAiReasoningEffort?: string;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  /** How old a pending entry's job must be before the reconciler re-sends it. */
  reconcileGraceSeconds?: number;
  /** Powertools log level of the handlers. */
  logLevel: string;
}

/**
 * The environment both handlers read at import, as Lambda would set it, plus what points the
 * AWS SDK at the emulators: service-specific endpoint variables (which the SDK honours for
 * every client it builds, including the one Powertools creates for getSecret) and fake
 * credentials. The SQS endpoint also goes to the handlers explicitly, because the SDK would
 * otherwise follow the emulator's unresolvable queue-URL host.
 */
export function handlerEnvironment(input: HandlerEnvironmentInput): Record<string, string> {
  return {
    TABLE_NAME: input.tableName,
    ...(input.tagsTableName ? { TAGS_TABLE_NAME: input.tagsTableName } : {}),
    QUEUE_URL: input.queueUrl,
    OPENAI_SECRET_ID: input.openAiSecretId,
    ...(input.openAiBaseUrl ? { OPENAI_BASE_URL: input.openAiBaseUrl } : {}),
    ...(input.openAiModel ? { OPENAI_MODEL: input.openAiModel } : {}),
    ...(input.openAiFallbackModels ? { OPENAI_FALLBACK_MODELS: input.openAiFallbackModels } : {}),
    ...(input.openAiReasoningEffort ? { OPENAI_REASONING_EFFORT: input.openAiReasoningEffort } : {}),
    // As the extraction stack sets them, from the contract and the service's version.
    SERVICE_VERSION: EXTRACTION_SERVICE_VERSION,
    FUNCTION_TIMEOUT_SECONDS: String(input.extractionTimeoutSeconds),
    RECORD_CONCURRENCY: String(CONSUMER_SETTINGS.recordConcurrency),
    RETRY_BASE_SECONDS: String(input.retryBaseSeconds),
    RETRY_MAX_SECONDS: String(input.retryMaxSeconds),
    ...(input.reconcileGraceSeconds ? { RECONCILE_GRACE_SECONDS: String(input.reconcileGraceSeconds) } : {}),
    AWS_REGION: LOCAL_RESOURCES.region,
    AWS_DEFAULT_REGION: LOCAL_RESOURCES.region,
    AWS_ACCESS_KEY_ID: LOCAL_RESOURCES.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_RESOURCES.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: input.sqsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: input.dynamoDbEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: input.secretsManagerEndpoint,
    // No instance metadata lookups when something falls through the credential chain.
    AWS_EC2_METADATA_DISABLED: 'true',
    // No CloudWatch here: the EMF metric blobs would only flood the console.
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: input.logLevel,
  };
}

/**
 * Writes the handler environment into process.env, removing variables that would send the SDK
 * elsewhere (a developer's profile, session token, or global endpoint override).
 */
export function applyHandlerEnvironment(environment: Record<string, string>, env: NodeJS.ProcessEnv = process.env): void {
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'OPENAI_API_KEY']) delete env[name];
  Object.assign(env, environment);
}
