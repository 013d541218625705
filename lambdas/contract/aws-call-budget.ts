/*
 * One rule for the AWS SDK clients (DynamoDB, SQS, Secrets Manager) of every function, so a
 * hanging service costs a known share of the function's time and never the whole of it.
 */

/** Attempts per AWS call: one retry absorbs a dropped connection or a throttle. */
const MAX_ATTEMPTS = 2;
/**
 * Longest wait the SDK's standard retry strategy sleeps before its one retry: a random share
 * of 1 s for a throttle (50 ms otherwise). DynamoDB and SQS send no retry-after hint that
 * would lengthen it.
 */
const RETRY_BACKOFF_BOUND_MS = 1_000;
/**
 * A quarter of the function's timeout per attempt, within these bounds: short enough that a
 * hanging service costs a known share of the invocation, long enough that a busy machine (the
 * local stack runs the emulators in the handlers' own process) does not time out healthy calls.
 */
const ATTEMPT_TIMEOUT_BOUNDS_MS = { min: 1_000, max: 3_000 } as const;
/** Connecting takes milliseconds inside a region; a connect that takes longer is retried sooner. */
const CONNECTION_TIMEOUT_MAX_MS = 1_000;

/** How long one AWS call may take, for a function of a given timeout. */
export interface AwsCallBudget {
  maxAttempts: number;
  /** Connecting, per attempt. */
  connectionTimeoutMs: number;
  /** The whole attempt, connecting included. */
  attemptTimeoutMs: number;
  /** The longest one call can take with all its attempts and the backoff between them. */
  worstCaseMs: number;
}

/** The budget of one AWS call in a function with this timeout. */
export function awsCallBudget(functionTimeoutSeconds: number): AwsCallBudget {
  const { min, max } = ATTEMPT_TIMEOUT_BOUNDS_MS;
  const attemptTimeoutMs = Math.round(Math.min(max, Math.max(min, (functionTimeoutSeconds * 1000) / 4)));
  return {
    maxAttempts: MAX_ATTEMPTS,
    connectionTimeoutMs: Math.min(CONNECTION_TIMEOUT_MAX_MS, attemptTimeoutMs),
    attemptTimeoutMs,
    worstCaseMs: MAX_ATTEMPTS * attemptTimeoutMs + (MAX_ATTEMPTS - 1) * RETRY_BACKOFF_BOUND_MS,
  };
}

/**
 * Where a function's SDK clients connect and as whom. Nothing in Lambda (the runtime's region
 * and role); the local stack and the tests name the emulators' endpoints, the region and the
 * function's own credentials.
 */
export interface AwsClientTarget {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  dynamoDbEndpoint?: string;
  /** Needed locally: SQS otherwise follows the queue URL's host, which the emulator names but does not resolve. */
  sqsEndpoint?: string;
}

/**
 * The AWS SDK v3 client configuration that keeps a call within `awsCallBudget`: spread it into
 * every client's constructor. Plain data in the SDK's `requestHandler` shorthand, so this module
 * needs no SDK import.
 */
export function awsClientConfig(functionTimeoutSeconds: number) {
  const budget = awsCallBudget(functionTimeoutSeconds);
  return {
    maxAttempts: budget.maxAttempts,
    requestHandler: {
      connectionTimeout: budget.connectionTimeoutMs,
      requestTimeout: budget.attemptTimeoutMs,
      // Without it the SDK only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
      // The request timeout ends when the headers arrive; a body that stalls after them
      // is cut off once the socket has been idle this long.
      socketTimeout: budget.attemptTimeoutMs,
    },
  };
}

/**
 * The configuration of a function's DynamoDB and SQS clients: `awsClientConfig`'s budget, who
 * they sign as, and where each one connects. Plain data like it, for each team's client factory.
 */
export function awsClientConfigs(functionTimeoutSeconds: number, target: AwsClientTarget = {}) {
  const { dynamoDbEndpoint, sqsEndpoint, ...identity } = target;
  const config = { ...awsClientConfig(functionTimeoutSeconds), ...identity };
  return {
    dynamoDb: { ...config, ...(dynamoDbEndpoint ? { endpoint: dynamoDbEndpoint } : {}) },
    sqs: { ...config, ...(sqsEndpoint ? { endpoint: sqsEndpoint } : {}) },
  };
}
