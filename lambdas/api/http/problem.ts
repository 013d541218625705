/** An RFC 9457 problem details response. */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  type?: string;
}

/** Problem-type URIs are relative references documented in the README's API section. */
const PROBLEM_TYPE_BASE = '/problems/';

/** A client error with the problem it answers with. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }

  /** The problem+json body of this error. */
  toProblem(instance?: string): Problem & { instance?: string } {
    const slug = this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    return {
      type: `${PROBLEM_TYPE_BASE}${slug}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
    };
  }
}

/** 400: the request cannot be read. */
export const badRequest = (detail: string) => new ProblemError(400, 'Bad Request', detail);
/** 401: no valid identity. */
export const unauthorized = (detail: string) =>
  new ProblemError(401, 'Unauthorized', detail, { 'www-authenticate': 'Bearer' });
/** 403: a valid identity this API cannot serve. */
export const forbidden = (detail: string) => new ProblemError(403, 'Forbidden', detail);
/** 404: nothing the caller may see here. */
export const notFound = (detail: string) => new ProblemError(404, 'Not Found', detail);
/** 405: known path, unknown method. */
export const methodNotAllowed = (allow: string[]) =>
  new ProblemError(405, 'Method Not Allowed', `Allowed methods: ${allow.join(', ')}.`, {
    allow: allow.join(', '),
  });
/** 409: the same Idempotency-Key is being processed. */
export const conflict = (detail: string) => new ProblemError(409, 'Conflict', detail);
/** 413: the body is larger than we read. */
export const payloadTooLarge = (detail: string) => new ProblemError(413, 'Payload Too Large', detail);
/** 415: not JSON. */
export const unsupportedMediaType = (detail: string) =>
  new ProblemError(415, 'Unsupported Media Type', detail);
/** 422: readable JSON that breaks the rules. */
export const unprocessable = (detail: string) => new ProblemError(422, 'Unprocessable Content', detail);
