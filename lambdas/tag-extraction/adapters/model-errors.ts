/** What the system error codes of a failed connection mean, in words a log reader can act on. */
const CONNECTION_CAUSES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused: nothing listens at that address and port',
  ENOTFOUND: 'DNS lookup failed: the host name does not resolve',
  EAI_AGAIN: 'DNS lookup failed temporarily: the resolver did not answer',
  ECONNRESET: 'connection reset by the server',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
};

/** The first system error code in an error's cause chain (fetch wraps it: TypeError -> cause). */
export function errorCodeOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const { code } = current as { code?: unknown };
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
    const nested = (current as { errors?: unknown[] }).errors?.[0];
    const nestedCode = (nested as { code?: unknown } | undefined)?.code;
    if (typeof nestedCode === 'string') return nestedCode;
  }
  return undefined;
}

/**
 * Names why the model server could not be reached: the URL and the error code with its meaning
 * ("http://127.0.0.1:9/v1: ECONNREFUSED (connection refused: ...)"), not the SDK's bare
 * "Connection error.".
 */
export function describeConnectionFailure(error: unknown, baseUrl: string | undefined): string {
  const where = baseUrl ?? 'https://api.openai.com/v1';
  const code = errorCodeOf(error);
  if (!code) return `${where}: ${(error as Error)?.message ?? String(error)}`;
  return `${where}: ${code} (${CONNECTION_CAUSES[code] ?? (error as Error)?.message ?? 'connection failed'})`;
}

/** True when the answer's content was not JSON: JSON.parse of the SDK's structured-output helper failed. */
export function isNonJsonAnswer(error: unknown): boolean {
  return error instanceof SyntaxError;
}

/** The hint logged with a non-JSON answer. */
export const NON_JSON_HINT =
  'the model answered content that is not JSON: the server may not support response_format json_schema (structured outputs); use a model or server that does';
