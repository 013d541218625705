/**
 * Lambda timeouts of the web team's functions. The API stack sets them and the local stack
 * enforces them; each function sizes its SDK clients by its own (contract's awsClientConfig).
 */
export const WEB_FUNCTION_TIMEOUTS_SECONDS = {
  /**
   * The API function: the longest `Prefer: wait` plus one read at its end (the SDK budget's
   * worst case, 7 s) and a margin to answer, still under API Gateway's integration timeout.
   */
  api: 28,
  /** The scheduled reconciler. */
  reconciler: 120,
} as const;

/** The longest `Prefer: wait=N` that GET /logs/{id} honours; larger values are capped to it. */
export const PREFER_WAIT_MAX_SECONDS = 20;

/** API Gateway HTTP API's integration timeout (its default and maximum): an answer after it is a 503 to the client. */
export const API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS = 30;
