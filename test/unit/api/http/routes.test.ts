import { describe, expect, it } from 'vitest';
import { routeApiRequest } from '../../../../lambdas/devlog-api/api/http/router.js';
import { API_ROUTES, GATEWAY_ROUTES, lookupRoute, routeKeyOf } from '../../../../lambdas/devlog-api/api/http/routes.js';
import { matchRoute } from '../../../../local/api-gateway.js';
import { apiEvent } from '../../support/api-events.js';
import { fakeApiDeps } from '../../support/fake-api-ports.js';

const SOME_ID = '01JDQ8Z6X4M1V9T3K7N2P5ZZZZ';

/** A concrete path for a route's template. */
function examplePath(template: string): string {
  return template.replace(/\{[^}]+\+\}/g, 'some/where').replace(/\{[^}]+\}/g, SOME_ID);
}

describe('the route table', () => {
  it('matches a template and decodes its path parameters', () => {
    // Act
    const lookup = lookupRoute('get', '/logs/a%20b');

    // Assert
    expect(lookup).toMatchObject({ kind: 'route', route: { operationId: 'getEntry' }, pathParameters: { id: 'a b' } });
  });

  it('names the methods of a known path when the method is not one of them, sorted', () => {
    // Act
    const lookup = lookupRoute('PUT', '/logs');

    // Assert
    expect(lookup).toEqual({ kind: 'method-not-allowed', allow: ['GET', 'POST'] });
  });

  it('finds no route for a path outside the table, however close', () => {
    // Act / Assert
    for (const path of ['/', '/logsx', '/logs/', `/logs/${SOME_ID}/tags`, '/v1/logs']) {
      expect(lookupRoute('GET', path)).toEqual({ kind: 'no-route' });
    }
  });

  it('has one row per method and path, and unique operation ids', () => {
    // Assert
    expect(new Set(API_ROUTES.map(routeKeyOf)).size).toBe(API_ROUTES.length);
    expect(new Set(API_ROUTES.map((route) => route.operationId)).size).toBe(API_ROUTES.length);
  });

  it.each(API_ROUTES.map((route) => [routeKeyOf(route), route] as const))(
    'the local API gateway routes %s like the table, with its authorization',
    (routeKey, route) => {
      // Act
      const matched = matchRoute(route.method, examplePath(route.path));

      // Assert
      expect(matched).toMatchObject({ routeKey, auth: route.auth });
    },
  );

  it('the local API gateway sends everything else to the fallback route behind the authorizer', () => {
    // Act
    const matched = matchRoute('PUT', '/logs');

    // Assert
    expect(matched).toEqual({ routeKey: 'ANY /{proxy+}', auth: 'jwt', pathParameters: { proxy: 'logs' } });
    expect(GATEWAY_ROUTES.at(-1)).toEqual({ method: 'ANY', path: '/{proxy+}', auth: 'jwt' });
  });

  it.each(API_ROUTES.map((route) => [routeKeyOf(route), route] as const))('the router has a handler for %s', async (_routeKey, route) => {
    // Arrange
    const { deps } = fakeApiDeps();

    // Act
    const result = await routeApiRequest(apiEvent({ method: route.method, path: examplePath(route.path) }), deps);

    // Assert: a handler answered, not the router's fallbacks for unknown paths and methods.
    expect(result.statusCode).not.toBe(405);
    expect(result.body ?? '').not.toContain('There is no resource');
  });
});
