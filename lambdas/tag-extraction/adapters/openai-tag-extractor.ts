import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import OpenAI from 'openai';
import { ContentFilterFinishReasonError, LengthFinishReasonError } from 'openai/error';
import { type AwsClientTarget, awsClientConfig, type FailureCode } from '../../contract/index.js';
import { AnswerTruncatedError, DeadlineExceededError, PermanentError, RetryableError } from '../domain/errors.js';
import type { ExtractOptions, RawExtraction, TagExtractor } from '../domain/ports.js';
import { ANSWER_MAX_OUTPUT_TOKENS } from '../answer-schema.js';
import { answerOfCompletion, extractionRequestBody } from '../model-request.js';
import type { PromptTemplate } from '../prompts.js';
import type { ReasoningEffort, ServiceTier } from '../model-settings.js';
import { describeConnectionFailure, isNonJsonAnswer, NON_JSON_HINT } from './model-errors.js';
import { type FallbackListener, withModelFallback } from './model-fallback.js';
import { type LifecycleListener, modelLifecycleGuard } from './model-lifecycle.js';
import { ModelParameters } from './model-parameters.js';
import { withRequestRateLimit } from './request-rate-limit.js';
import { isFlexUnavailable } from './service-tier.js';

const RETRYABLE_STATUS = new Set([401, 403, 408, 409, 429]);

/** How the OpenAI client is built. */
export interface OpenAiClientOptions {
  /** Returns the API key; called per extraction, so it should cache. */
  apiKey: () => Promise<string>;
  baseURL?: string;
  timeoutMs: number;
}

const SECRET_CACHE_SECONDS = 300;

/** Where the Secrets Manager client connects and as whom; the runtime's defaults when empty. */
export type SecretsManagerTarget = Omit<AwsClientTarget, 'dynamoDbEndpoint' | 'sqsEndpoint'> & { endpoint?: string };

/**
 * Reads the API key from Secrets Manager through Powertools, cached for five minutes, with the
 * SDK timeouts of a function of `functionTimeoutSeconds`. Concurrent callers share one read, so
 * a cold batch of ten records makes one call, not ten.
 */
export function secretsManagerApiKey(
  secretId: string,
  functionTimeoutSeconds: number,
  target: SecretsManagerTarget = {},
): () => Promise<string> {
  const secrets = new SecretsProvider({ clientConfig: { ...awsClientConfig(functionTimeoutSeconds), ...target } });
  let inFlight: Promise<string> | undefined;
  const read = async () => {
    const apiKey = await secrets.get<string>(secretId, { maxAge: SECRET_CACHE_SECONDS });
    if (!apiKey) throw new Error(`secret ${secretId} is empty`);
    return apiKey;
  };
  return () => {
    inFlight ??= read().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

/**
 * A client provider that builds one OpenAI client per API key, so a rotated secret takes
 * effect when the key's cache expires, without a new container.
 */
export function openAiClientProvider(options: OpenAiClientOptions): () => Promise<OpenAI> {
  let current: { apiKey: string; client: OpenAI } | undefined;
  return async () => {
    const apiKey = await options.apiKey();
    if (current?.apiKey !== apiKey) {
      current = {
        apiKey,
        client: new OpenAI({
          apiKey,
          baseURL: options.baseURL,
          timeout: options.timeoutMs,
          // No retries inside a call: the SDK would sleep for a 429's retry-after (up to 60 s)
          // inside the invocation. Every failure goes back to the queue, whose backoff honours
          // retry-after however long it is (domain/retry-policy.ts).
          maxRetries: 0,
        }),
      };
    }
    return current.client;
  };
}

/** Extracts tags with any OpenAI-compatible chat completions server, using structured outputs. */
export class OpenAiTagExtractor implements TagExtractor {
  constructor(
    /** Returns a client; async because the API key is read from Secrets Manager (cached). */
    private readonly client: () => Promise<OpenAI>,
    private readonly model: string,
    private readonly prompt: PromptTemplate,
    /** Which sampling parameters this model takes; shared by the extractors of one container. */
    private readonly parameters: ModelParameters = new ModelParameters('low'),
    /** Flex asks the flex tier first and the standard tier when flex has no capacity. */
    private readonly serviceTier: ServiceTier = 'default',
  ) {}

  /**
   * One structured-output call, capped at ANSWER_MAX_OUTPUT_TOKENS (plus room to reason for a
   * reasoning model, whose reasoning tokens count against the same cap); `signal` aborts all of
   * it, answer body included. Errors are classified as retryable or permanent. A model that
   * rejects a sampling parameter is asked once more without it; flex without capacity (429
   * Resource Unavailable) is asked once more on the standard tier.
   */
  async extract(entryText: string, { signal }: ExtractOptions = {}): Promise<RawExtraction> {
    let baseUrl: string | undefined;
    try {
      const client = await this.client();
      baseUrl = client.baseURL;
      const createOnTier = (sampling: ReturnType<ModelParameters['for']>, tier: ServiceTier) =>
        client.chat.completions.parse(extractionRequestBody(this.model, this.prompt, entryText, sampling, tier), { signal });
      const create = (sampling: ReturnType<ModelParameters['for']>) =>
        createOnTier(sampling, this.serviceTier).catch((error: unknown) => {
          if (this.serviceTier !== 'flex' || !isFlexUnavailable(error)) throw error;
          return createOnTier(sampling, 'default');
        });
      const sampling = this.parameters.for(this.model);
      let startedAt = performance.now();
      const completion = await create(sampling).catch((error: unknown) => {
        if (!this.parameters.learn(this.model, sampling, error)) throw error;
        startedAt = performance.now();
        return create(this.parameters.for(this.model));
      });
      const latencyMs = Math.round(performance.now() - startedAt);
      return { ...answerOfCompletion(completion, this.model), latencyMs };
    } catch (error) {
      if (signal?.aborted) {
        throw new DeadlineExceededError('the OpenAI call was stopped at the record deadline', { cause: error });
      }
      throw classifyOpenAiError(error, baseUrl);
    }
  }
}

/** Maps an OpenAI SDK error to our retry classes (already-classified errors pass through). */
export function classifyOpenAiError(error: unknown, baseUrl?: string): Error {
  if (error instanceof RetryableError || error instanceof PermanentError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new RetryableError(`OpenAI timed out: ${baseUrl ?? 'https://api.openai.com/v1'} sent no answer in time`, undefined, {
      cause: error,
      reason: 'model-timeout',
    });
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new RetryableError(`OpenAI unreachable at ${describeConnectionFailure(error, baseUrl)}`, undefined, {
      cause: error,
      reason: 'model-unreachable',
    });
  }
  if (isNonJsonAnswer(error)) {
    return new RetryableError(`${NON_JSON_HINT} (${(error as Error).message.slice(0, 120)})`, undefined, {
      cause: error,
      reason: 'answer-unreadable',
    });
  }
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    if (RETRYABLE_STATUS.has(error.status) || error.status >= 500) {
      return new RetryableError(`OpenAI answered ${error.status}`, retryAfterSeconds(error.headers), {
        cause: error,
        rateLimited: error.status === 429,
        reason: reasonOfStatus(error.status),
      });
    }
    return new PermanentError(`OpenAI rejected the request (${error.status}): ${error.message.slice(0, 200)}`, {
      cause: error,
      reason: 'model-rejected-request',
    });
  }
  if (error instanceof LengthFinishReasonError) return new AnswerTruncatedError(ANSWER_MAX_OUTPUT_TOKENS, { cause: error });
  if (error instanceof ContentFilterFinishReasonError) {
    return new PermanentError(`model stopped early: ${error.message}`, { cause: error, reason: 'model-refused' });
  }
  return new RetryableError(`extraction failed: ${(error as Error)?.message ?? String(error)}`, undefined, {
    cause: error,
  });
}

/** The failure reason of a retried status: a rate limit, our credentials refused, or the server failing. */
function reasonOfStatus(status: number): FailureCode {
  if (status === 429) return 'model-rate-limited';
  return status === 401 || status === 403 ? 'model-rejected-request' : 'model-unavailable';
}

/** Reads `retry-after-ms` or `retry-after` (seconds or an HTTP date) as seconds. */
export function retryAfterSeconds(headers: Headers | undefined, now = Date.now()): number | undefined {
  const milliseconds = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(milliseconds) && milliseconds > 0) return milliseconds / 1000;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** Everything the OpenAI extractor is built from. */
export interface OpenAiExtractorSettings extends Omit<OpenAiClientOptions, 'apiKey'> {
  secretId: string;
  /** Where the key's Secrets Manager client connects (the local stand-in); the runtime's defaults when unset. */
  secretsManager?: SecretsManagerTarget;
  model: string;
  /** Tried in order when the model (and each one before) is gone. */
  fallbackModels: readonly string[];
  reasoningEffort: ReasoningEffort;
  /** `flex` asks the cheaper, slower tier first; `default` the standard tier only. */
  serviceTier: ServiceTier;
  prompt: PromptTemplate;
  /** Told each time a gone model is left for the next one. */
  onModelFallback: FallbackListener;
  /** Told what `GET /v1/models/{id}` says about each model in use, once per container. */
  onModelLifecycle: LifecycleListener;
  /** This instance's share of the account's requests per minute; unset means unlimited. */
  requestsPerMinute?: number;
  /** Lambda timeout of the function, which sizes its Secrets Manager client. */
  functionTimeoutSeconds: number;
}

/**
 * The extraction's model port, fully assembled: key from Secrets Manager, one client per key,
 * structured outputs, and the client-side rate limit. The handler loads this module lazily.
 */
export function createOpenAiExtractor(settings: OpenAiExtractorSettings): TagExtractor {
  const client = openAiClientProvider({
    ...settings,
    apiKey: secretsManagerApiKey(settings.secretId, settings.functionTimeoutSeconds, settings.secretsManager),
  });
  const parameters = new ModelParameters(settings.reasoningEffort);
  const models = [settings.model, ...settings.fallbackModels.filter((model) => model !== settings.model)];
  const fallback = withModelFallback(
    models,
    (model) => new OpenAiTagExtractor(client, model, settings.prompt, parameters, settings.serviceTier),
    settings.onModelFallback,
  );
  const startLifecycleGuard = modelLifecycleGuard(client, models, settings.onModelLifecycle);
  const extractor = withRequestRateLimit(fallback, settings.requestsPerMinute);
  return {
    extract(entryText, options) {
      startLifecycleGuard();
      return extractor.extract(entryText, options);
    },
  };
}
