import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, readBody } from '../http-server.js';
import { LOCAL_RESOURCES } from '../settings.js';

/*
 * Hand-written because no maintained npm package emulates Secrets Manager without Docker
 * (LocalStack and moto are Python services). The extraction handler only calls
 * GetSecretValue, so that is the only operation served, over the AWS JSON 1.1 protocol the SDK
 * speaks; everything else answers like AWS does for an operation it does not know.
 */

const JSON_11 = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'secretsmanager.';

/** A running Secrets Manager stand-in. */
export interface SecretsManagerEmulator {
  endpoint: string;
  /** ARN of each secret, by name. */
  arns: Record<string, string>;
  /** GetSecretValue calls served, for tests that check the cache. */
  readonly requestCount: number;
  stop(): Promise<void>;
}

/** Serves GetSecretValue for the given plain-string secrets (by name or ARN) on a free loopback port. */
export async function startSecretsManager(secrets: Record<string, string>): Promise<SecretsManagerEmulator> {
  const createdDate = Math.floor(Date.now() / 1000);
  const entries = Object.entries(secrets).map(([name, value]) => ({
    name,
    value,
    // Real ARNs end in a dash and six random characters.
    arn: `arn:aws:secretsmanager:${LOCAL_RESOURCES.region}:${LOCAL_RESOURCES.accountId}:secret:${name}-${randomUUID().slice(0, 6)}`,
    versionId: randomUUID(),
  }));
  let requestCount = 0;

  const server = createServer(async (request, response) => {
    const { body } = await readBody(request, 64 * 1024);
    const target = String(request.headers['x-amz-target'] ?? '');
    if (request.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
      return sendError(response, 'UnknownOperationException', 'Only the AWS JSON 1.1 protocol is served here.');
    }
    const operation = target.slice(TARGET_PREFIX.length);
    if (operation !== 'GetSecretValue') {
      return sendError(response, 'UnknownOperationException', `The local Secrets Manager only serves GetSecretValue, not ${operation}.`);
    }
    requestCount++;
    let secretId: unknown;
    try {
      secretId = (JSON.parse(body.toString('utf8')) as { SecretId?: unknown }).SecretId;
    } catch {
      return sendError(response, 'SerializationException', 'The request body is not JSON.');
    }
    const secret = entries.find((candidate) => candidate.name === secretId || candidate.arn === secretId);
    if (!secret) {
      return sendError(response, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    }
    send(response, 200, {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: secret.versionId,
      SecretString: secret.value,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: createdDate,
    });
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arns: Object.fromEntries(entries.map(({ name, arn }) => [name, arn])),
    get requestCount() {
      return requestCount;
    },
    stop: () => closeServer(server),
  };
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': JSON_11, 'x-amzn-requestid': randomUUID(), ...headers });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, type: string, message: string): void {
  send(response, 400, { __type: type, message }, { 'x-amzn-errortype': type });
}
