import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApiGateway } from '../../../local/api-gateway.js';
import { createJwtAuthorizer, issueLocalToken, loadOrCreateSigningKey } from '../../../local/jwt.js';
import type { AnswerBody } from '../../support/api-client.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { handlersFor, type TestEmulators } from './emulators.js';

/** The API function on the emulators, behind the local API gateway with its own signing key. */
export interface TestApi {
  url: string;
  /** A valid bearer token of `userId`. */
  tokenFor(userId: string): Promise<string>;
  /** Calls the API as `userId` (GET unless `init.method`; a `body` is sent as JSON); an empty answer has no body. */
  call(userId: string, pathAndQuery: string, init?: ApiCallInit): Promise<ApiAnswer>;
  stop(): Promise<void>;
}

/** What a test sends with `TestApi.call`. */
export interface ApiCallInit {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What `TestApi.call` gives back. */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: AnswerBody | undefined;
}

/**
 * Builds the API handler as the local stack does (`env` and `options` as for `handlersFor`) and
 * serves it through the local API gateway on a free port, checking tokens signed by a fresh key.
 */
export async function startTestApi(
  emulators: TestEmulators,
  env: Record<string, string> = {},
  options: { dynamoDbEndpoint?: string; sqsEndpoint?: string } = {},
): Promise<TestApi> {
  const built = handlersFor(emulators, env, options);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'devlog-gateway-'));
  const key = await loadOrCreateSigningKey(dataDir);
  const gateway = await startApiGateway({
    port: 0,
    handler: built.handlers.api,
    authorize: createJwtAuthorizer({ publicJwk: key.publicJwk }),
    log: () => {},
  });
  const tokenFor = (userId: string) => issueLocalToken(key, userId);
  return {
    url: gateway.url,
    tokenFor,
    async call(userId, pathAndQuery, init = {}) {
      const response = await fetch(`${gateway.url}${pathAndQuery}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${await tokenFor(userId)}`,
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as AnswerBody) : undefined };
    },
    async stop() {
      await gateway.stop();
      built.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A TestApi whose handler reaches one emulator through `proxy`. */
export type ProxiedTestApi = TestApi & { proxy: FaultProxy };

/**
 * `startTestApi` with a fault proxy between the handler and one emulator (`'dynamoDb'` or
 * `'sqs'`), for tests that hold or fail its requests; `stop()` stops the proxy too.
 */
export async function startTestApiThroughProxy(
  emulators: TestEmulators,
  service: 'dynamoDb' | 'sqs',
  env: Record<string, string> = {},
): Promise<ProxiedTestApi> {
  const proxy = await startFaultProxy({ targetEndpoint: service === 'sqs' ? emulators.sqsEndpoint : emulators.dynamoDbEndpoint });
  try {
    const api = await startTestApi(emulators, env, { [`${service}Endpoint`]: proxy.endpoint });
    return {
      ...api,
      proxy,
      async stop() {
        await api.stop();
        await proxy.stop();
      },
    };
  } catch (error) {
    await proxy.stop();
    throw error;
  }
}
