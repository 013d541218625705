/** Timeout of the pre-traffic hook function: two invocations of the new version and the status report fit in it. */
export const PRE_TRAFFIC_HOOK_TIMEOUT_SECONDS = 60;

/** One invocation of the new version, its cold start included. */
export const PRE_TRAFFIC_INVOKE_TIMEOUT_MS = 20_000;
