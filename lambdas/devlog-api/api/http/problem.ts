/** An RFC 9457 problem details response. */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  type?: string;
}

/**
 * Every problem the API answers with, by the name of its schema in the OpenAPI document. A
 * problem's `type` is a relative reference to that schema, whose description explains it:
 * `GET /openapi.json` serves it without a token, so the URI resolves for anyone.
 */
export const PROBLEM_TYPES = {
  BadRequestProblem: { status: 400, title: 'Bad Request' },
  UnauthorizedProblem: { status: 401, title: 'Unauthorized' },
  ForbiddenProblem: { status: 403, title: 'Forbidden' },
  NotFoundProblem: { status: 404, title: 'Not Found' },
  MethodNotAllowedProblem: { status: 405, title: 'Method Not Allowed' },
  ConflictProblem: { status: 409, title: 'Conflict' },
  PreconditionFailedProblem: { status: 412, title: 'Precondition Failed' },
  PayloadTooLargeProblem: { status: 413, title: 'Payload Too Large' },
  UnsupportedMediaTypeProblem: { status: 415, title: 'Unsupported Media Type' },
  UnprocessableContentProblem: { status: 422, title: 'Unprocessable Content' },
  QuotaExceededProblem: { status: 429, title: 'Too Many Requests' },
  InternalServerErrorProblem: { status: 500, title: 'Internal Server Error' },
} as const;

/** The name of a problem type (its schema in the OpenAPI document). */
export type ProblemKind = keyof typeof PROBLEM_TYPES;

/** The `type` URI of a problem kind. */
export function problemTypeUri(kind: ProblemKind): string {
  return `/openapi.json#/components/schemas/${kind}`;
}

/** A client error with the problem it answers with. */
export class ProblemError extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
    this.status = PROBLEM_TYPES[kind].status;
    this.title = PROBLEM_TYPES[kind].title;
  }

  /** The problem+json body of this error. */
  toProblem(instance?: string): Problem & { instance?: string } {
    return {
      type: problemTypeUri(this.kind),
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
    };
  }
}

/** 400: the request cannot be read. */
export const badRequest = (detail: string) => new ProblemError('BadRequestProblem', detail);
/** 401: no valid identity. */
export const unauthorized = (detail: string) => new ProblemError('UnauthorizedProblem', detail, { 'www-authenticate': 'Bearer' });
/** 403: a valid identity this API cannot serve. */
export const forbidden = (detail: string) => new ProblemError('ForbiddenProblem', detail);
/** 404: nothing the caller may see here. */
export const notFound = (detail: string) => new ProblemError('NotFoundProblem', detail);
/** 405: known path, unknown method. */
export const methodNotAllowed = (allow: string[]) =>
  new ProblemError('MethodNotAllowedProblem', `Allowed methods: ${allow.join(', ')}.`, { allow: allow.join(', ') });
/** 409: the same Idempotency-Key is being processed. */
export const conflict = (detail: string) => new ProblemError('ConflictProblem', detail);
/** 412: the entry is not at a revision the request's If-Match names. */
export const preconditionFailed = (detail: string) => new ProblemError('PreconditionFailedProblem', detail);
/** 413: the body is larger than we read. */
export const payloadTooLarge = (detail: string) => new ProblemError('PayloadTooLargeProblem', detail);
/** 415: not JSON. */
export const unsupportedMediaType = (detail: string) => new ProblemError('UnsupportedMediaTypeProblem', detail);
/** 422: readable JSON that breaks the rules. */
export const unprocessable = (detail: string) => new ProblemError('UnprocessableContentProblem', detail);
/** 429: the caller's quota is used up; the headers say when it resets. */
export const quotaExceeded = (detail: string, headers: Record<string, string>) => new ProblemError('QuotaExceededProblem', detail, headers);
/** 500: our fault. */
export const internalError = (detail: string) => new ProblemError('InternalServerErrorProblem', detail);
