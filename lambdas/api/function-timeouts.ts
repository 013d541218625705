/**
 * Lambda timeouts of the web team's functions. The API stack sets them and the local stack
 * enforces them; each function sizes its SDK clients by its own (contract's awsClientConfig).
 */
export const WEB_FUNCTION_TIMEOUTS_SECONDS = {
  /** The API function; API Gateway's integration timeout (30 s) is well above it. */
  api: 10,
  /** The scheduled reconciler. */
  reconciler: 120,
} as const;
