import { describe, expect, it } from 'vitest';
import { methodNotAllowed, ProblemError, unauthorized } from '../../../../lambdas/devlog-api/api/http/problem.js';

describe('ProblemError', () => {
  it('renders an RFC 9457 problem whose type points at its schema in the OpenAPI document', () => {
    // Act
    const problem = new ProblemError('UnprocessableContentProblem', "'entry' is required.").toProblem('/logs');

    // Assert
    expect(problem).toEqual({
      type: '/openapi.json#/components/schemas/UnprocessableContentProblem',
      title: 'Unprocessable Content',
      status: 422,
      detail: "'entry' is required.",
      instance: '/logs',
    });
  });

  it('leaves instance out when there is none', () => {
    expect(new ProblemError('BadRequestProblem', 'x').toProblem()).not.toHaveProperty('instance');
  });

  it('carries the headers its status needs', () => {
    expect(methodNotAllowed(['GET', 'POST']).headers).toEqual({ allow: 'GET, POST' });
    expect(unauthorized('no token').headers).toEqual({ 'www-authenticate': 'Bearer' });
  });
});
