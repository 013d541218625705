import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, readBody } from '../http-server.js';
import { authorize, type AuthorizationRequest, type PolicyStatement } from './policy.js';
import { dynamoDbAuthorizationRequest, sqsAuthorizationRequest, type DynamoDbRequestInput } from './requests.js';

/** Which role a set of local credentials stands for. */
export interface LocalIdentity {
  /** The function, as named in the denial message (like the role session in AWS). */
  functionName: string;
  statements: readonly PolicyStatement[];
}

/** Options of an enforcing proxy in front of one emulator. */
export interface EnforcingProxyOptions {
  service: 'dynamodb' | 'sqs';
  /** The emulator the allowed requests go to. */
  targetEndpoint: string;
  /** Identities by access key id: each function signs with its own key. */
  identities: Record<string, LocalIdentity>;
  /** The ARN a policy names a table (DynamoDB) or queue URL (SQS) by. */
  resourceArnOf(nameOrUrl: string): string;
  /** Sees every allowed call and its answer (the bench's bill); the call is piped through untouched without it. */
  meter?: CallMeter;
}

/** An answer of the emulator, read whole. */
export interface RelayedAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One allowed call, as a meter sees it: who made it, what it asked, and a way to send it on. */
export interface MeteredCall {
  functionName: string;
  operation: string;
  body: Buffer;
  headers: IncomingHttpHeaders;
  /** Sends a request to the emulator with the caller's headers (the call itself, or a read the meter needs). */
  relay(body: Buffer, operation?: string): Promise<RelayedAnswer>;
}

/** Forwards an allowed call and counts what it costs; returns the answer the caller gets. */
export type CallMeter = (call: MeteredCall) => Promise<RelayedAnswer>;

/** A running enforcing proxy. */
export interface EnforcingProxy {
  endpoint: string;
  stop(): Promise<void>;
}

/** The emulators' bodies are small; a DynamoDB item is at most 400 KB. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * An HTTP proxy in front of a DynamoDB or SQS emulator that evaluates each call against the
 * caller's role (found by the access key id of its SigV4 signature) and answers a denied call
 * the way AWS does, so a permission missing from a function's role fails locally too.
 * Hand-written: no emulator enforces IAM without a paid tier (see local/iam/policy.ts).
 */
export async function startEnforcingProxy(options: EnforcingProxyOptions): Promise<EnforcingProxy> {
  const target = new URL(options.targetEndpoint);
  const server = createServer((request, response) => {
    handle(request, response, options, target).catch((error: unknown) => {
      if (response.destroyed) return;
      if (!response.headersSent) deny(response, options.service, 500, 'InternalFailure', (error as Error).message);
      else response.destroy();
    });
  });
  const port = await listenOnLoopback(server);
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => closeServer(server) };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: EnforcingProxyOptions, target: URL): Promise<void> {
  const { body } = await readBody(request, MAX_BODY_BYTES);
  const accessKeyId = /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1];
  const identity = accessKeyId === undefined ? undefined : options.identities[accessKeyId];
  if (!identity) {
    deny(response, options.service, 400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    return;
  }
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  const decision = decide(options, operation, body, identity);
  if (!decision.allowed) {
    const status = options.service === 'sqs' ? 403 : 400;
    deny(response, options.service, status, 'AccessDeniedException', decision.message);
    return;
  }
  if (!options.meter) return forward(request, response, body, target);
  const answer = await options.meter({
    functionName: identity.functionName,
    operation,
    body,
    headers: request.headers,
    relay: (sent, as = operation) => relayWhole(request, response, sent, target, as),
  });
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

/** Sends `body` as `operation` with the caller's headers and reads the whole answer (a metered call). */
function relayWhole(
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
  target: URL,
  operation: string,
): Promise<RelayedAnswer> {
  return new Promise((resolve, reject) => {
    const prefix = String(request.headers['x-amz-target'] ?? '').split('.')[0];
    const headers = {
      ...request.headers,
      host: target.host,
      'content-length': String(body.length),
      ...(prefix ? { 'x-amz-target': `${prefix}.${operation}` } : {}),
    };
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: request.method, path: request.url, headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
        answer.on('error', reject);
      },
    );
    upstream.on('error', reject);
    response.on('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  });
}

function decide(options: EnforcingProxyOptions, operation: string, body: Buffer, identity: LocalIdentity) {
  let authorization: AuthorizationRequest;
  try {
    const input = JSON.parse(body.toString('utf8') || '{}') as DynamoDbRequestInput & { QueueUrl?: string };
    authorization =
      options.service === 'dynamodb'
        ? dynamoDbAuthorizationRequest(operation, input, options.resourceArnOf)
        : sqsAuthorizationRequest(operation, options.resourceArnOf(String(input.QueueUrl)));
  } catch (error) {
    return { allowed: false, message: `${options.service}:${operation} cannot be checked locally: ${(error as Error).message}` } as const;
  }
  const decision = authorize(identity.statements, authorization);
  if (decision.allowed) return decision;
  // The wording of AWS's denial, with the function in place of the assumed role.
  return {
    allowed: false,
    message: `User: arn:aws:sts::000000000000:assumed-role/${identity.functionName}/local is not authorized to perform: ${authorization.action} on resource: ${authorization.resource} because ${decision.reason} (local IAM, local/iam/function-policies.json)`,
  } as const;
}

function forward(request: IncomingMessage, response: ServerResponse, body: Buffer, target: URL): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: target.host },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
        answer.on('end', resolve);
        answer.on('error', reject);
      },
    );
    upstream.on('error', reject);
    // A caller that gives up (the poller's aborted long poll at a stop) must end the forwarded
    // call too: left open, it would take the next message for nobody and hold the emulator open.
    response.on('close', () => {
      if (!response.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  });
}

function deny(response: ServerResponse, service: EnforcingProxyOptions['service'], status: number, code: string, message: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0' };
  // SQS speaks JSON with query-protocol error codes: the SDK reads this header for the name.
  if (service === 'sqs') headers['x-amzn-query-error'] = `${code === 'AccessDeniedException' ? 'AccessDenied' : code};Sender`;
  response.writeHead(status, headers);
  response.end(JSON.stringify({ __type: `com.amazon.coral.service#${code}`, message }));
}
