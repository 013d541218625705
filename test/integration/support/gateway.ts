import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type HttpApiHandler, startApiGateway } from '../../../local/api-gateway.js';
import { createJwtAuthorizer, issueLocalToken, loadOrCreateSigningKey } from '../../../local/jwt.js';

/** The local API gateway in front of an API handler, with its own signing key. */
export interface TestGateway {
  url: string;
  /** A valid bearer token of `userId`. */
  tokenFor(userId: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the local API gateway on a free port, checking tokens signed by a fresh key. */
export async function startTestGateway(handler: HttpApiHandler): Promise<TestGateway> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'devlog-gateway-'));
  const key = await loadOrCreateSigningKey(dataDir);
  const gateway = await startApiGateway({ port: 0, handler, authorize: createJwtAuthorizer({ publicJwk: key.publicJwk }), log: () => {} });
  return {
    url: gateway.url,
    tokenFor: (userId) => issueLocalToken(key, userId),
    async stop() {
      await gateway.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
