import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApiGateway } from '../../../local/api-gateway.js';
import { createJwtAuthorizer, issueLocalToken, loadOrCreateSigningKey } from '../../../local/jwt.js';
import { handlersFor, type TestEmulators } from './emulators.js';

/** The API function on the emulators, behind the local API gateway with its own signing key. */
export interface TestApi {
  url: string;
  /** A valid bearer token of `userId`. */
  tokenFor(userId: string): Promise<string>;
  stop(): Promise<void>;
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
  const gateway = await startApiGateway({ port: 0, handler: built.handlers.api, authorize: createJwtAuthorizer({ publicJwk: key.publicJwk }), log: () => {} });
  return {
    url: gateway.url,
    tokenFor: (userId) => issueLocalToken(key, userId),
    async stop() {
      await gateway.stop();
      built.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
