import { describe, expect, it } from 'vitest';
import { methodNotAllowed, ProblemError, unauthorized } from '../../../../lambdas/api/http/problem.js';

describe('ProblemError', () => {
  it('renders an RFC 9457 problem with a type derived from the title', () => {
    // Act
    const problem = new ProblemError(422, 'Unprocessable Content', "'entry' is required.").toProblem('/logs');

    // Assert
    expect(problem).toEqual({
      type: '/problems/unprocessable-content',
      title: 'Unprocessable Content',
      status: 422,
      detail: "'entry' is required.",
      instance: '/logs',
    });
  });

  it('leaves instance out when there is none', () => {
    expect(new ProblemError(400, 'Bad Request', 'x').toProblem()).not.toHaveProperty('instance');
  });

  it('carries the headers its status needs', () => {
    expect(methodNotAllowed(['GET', 'POST']).headers).toEqual({ allow: 'GET, POST' });
    expect(unauthorized('no token').headers).toEqual({ 'www-authenticate': 'Bearer' });
  });
});
