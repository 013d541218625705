import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { closeServer, listenOnLoopback, LOOPBACK, readBody } from '../../local/http-server.js';

/*
 * Hand-written: the fault-injection proxies on npm (toxiproxy clients, chaos proxies) either
 * need a separate server binary or know nothing of AWS's JSON protocols, where the operation
 * is named by the X-Amz-Target header. This one sits between the handlers and an emulator and
 * lets a test fail chosen operations or the whole connection for a while: test-stack.ts puts one
 * in front of each emulator (`startTestStack({ faultInjection: true })`).
 */

/** What the proxy does to a request a rule matches. */
export type FaultAction =
  /** Drops the connection without an answer (the SDK sees ECONNRESET / socket hang up). */
  | { kind: 'reset' }
  /** Reads the request and never answers, as a hanging service: only the client's own timeouts end the call. */
  | { kind: 'hang' }
  /** Answers with an AWS JSON-protocol error, as the service would (500 InternalServerError by default). */
  | { kind: 'error'; status?: number; errorType?: string; message?: string }
  /** Holds the request and forwards it once `until` settles: forces an interleaving with another request. */
  | { kind: 'hold'; until: Promise<unknown> };

/** Which requests to fail, and how. */
export interface FaultRule {
  /** X-Amz-Target of the operations to fail, e.g. `DynamoDB_20120810.UpdateItem`; every operation when omitted. */
  target?: string;
  action: FaultAction;
  /** Share of the matching requests to fail, 0..1; all of them when omitted. */
  probability?: number;
  /** Only requests whose body contains this text (a key prefix such as `"ENTRY#`); any body when omitted. */
  bodyIncludes?: string;
}

/** How the proxy treats new connections. */
export type ConnectionMode =
  /** Normal: requests are forwarded unless a rule fails them. */
  | 'accept'
  /** Accepts and resets every connection at once (ECONNRESET). */
  | 'reset'
  /** Stops listening, so connecting fails with ECONNREFUSED; open connections are closed. */
  | 'refuse';

/** Requests seen, by X-Amz-Target (or `METHOD path` without one). */
export interface FaultProxyStats {
  forwarded: Record<string, number>;
  failed: Record<string, number>;
  /** Requests held by a `hold` rule (counted when they arrive; `forwarded` once released). */
  held: Record<string, number>;
  /** Connections reset in `reset` mode. */
  connectionsReset: number;
}

/** A running fault-injection proxy in front of one endpoint. */
export interface FaultProxy {
  /** Where clients should connect instead of the target. */
  endpoint: string;
  /** Replaces the active request rules; an empty list passes everything through. */
  failRequests(rules: FaultRule[]): void;
  /** Switches how new connections are treated. */
  setConnectionMode(mode: ConnectionMode): Promise<void>;
  /** Removes every fault: accepts connections and forwards every request again. */
  heal(): Promise<void>;
  readonly stats: FaultProxyStats;
  stop(): Promise<void>;
}

/** Starts a proxy on a free loopback port that forwards everything to `targetEndpoint` until told otherwise. */
export async function startFaultProxy(options: { targetEndpoint: string; random?: () => number }): Promise<FaultProxy> {
  const target = new URL(options.targetEndpoint);
  const random = options.random ?? Math.random;
  const agent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const stats: FaultProxyStats = { forwarded: {}, failed: {}, held: {}, connectionsReset: 0 };
  let rules: FaultRule[] = [];
  let mode: ConnectionMode = 'accept';

  const server = createServer((request, response) => {
    const operation = operationOf(request);
    const candidates = rules.filter((candidate) => candidate.target === undefined || candidate.target === operation);
    const decide = (body?: Buffer) => {
      const rule = candidates.find(
        (candidate) =>
          (candidate.bodyIncludes === undefined || (body?.includes(candidate.bodyIncludes) ?? false)) &&
          random() < (candidate.probability ?? 1),
      );
      const action = rule?.action;
      if (action?.kind === 'hold') {
        count(stats.held, operation);
        void action.until.then(
          () => {
            count(stats.forwarded, operation);
            relay(request, response, target, agent, body);
          },
          () => request.socket.destroy(),
        );
        return;
      }
      if (action) {
        count(stats.failed, operation);
        return injectFault(request, response, action, body !== undefined);
      }
      count(stats.forwarded, operation);
      relay(request, response, target, agent, body);
    };
    if (!candidates.some((candidate) => candidate.bodyIncludes !== undefined)) return decide();
    // A rule looks into the body: read it first, then fail or forward it as read.
    readBody(request, Number.POSITIVE_INFINITY).then(
      ({ body }) => decide(body),
      () => request.socket.destroy(),
    );
  });
  server.on('connection', (socket: Socket) => {
    if (mode === 'reset') {
      stats.connectionsReset++;
      socket.resetAndDestroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await listenOnLoopback(server);

  const closeConnections = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  const setConnectionMode = async (next: ConnectionMode) => {
    if (next === mode) return;
    const wasRefusing = mode === 'refuse';
    mode = next;
    if (next === 'refuse') {
      const closed = closeServer(server);
      closeConnections();
      await closed;
    } else if (wasRefusing) {
      // The same port again, so clients configured with the endpoint find it.
      await listenOnLoopback(server, port);
    }
    if (next === 'reset') closeConnections();
  };

  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    stats,
    failRequests(next) {
      rules = [...next];
    },
    setConnectionMode,
    async heal() {
      rules = [];
      await setConnectionMode('accept');
    },
    async stop() {
      rules = [];
      mode = 'accept';
      const closed = closeServer(server);
      closeConnections();
      await closed;
      agent.destroy();
    },
  };
}

/** The AWS operation of a request (`DynamoDB_20120810.UpdateItem`, `AmazonSQS.SendMessage`). */
function operationOf(request: IncomingMessage): string {
  const target = request.headers['x-amz-target'];
  return typeof target === 'string' ? target : `${request.method} ${request.url}`;
}

function count(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function injectFault(
  request: IncomingMessage,
  response: ServerResponse,
  action: Exclude<FaultAction, { kind: 'hold' }>,
  bodyRead: boolean,
): void {
  if (action.kind === 'reset') {
    request.socket.resetAndDestroy();
    return;
  }
  if (action.kind === 'hang') {
    // The connection stays open until the client gives up or the proxy stops.
    request.resume();
    return;
  }
  const errorType = action.errorType ?? 'InternalServerError';
  const body = JSON.stringify({ __type: errorType, message: action.message ?? 'fault injected by the local fault proxy' });
  const answer = () => {
    response.writeHead(action.status ?? 500, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-errortype': errorType,
      'x-amzn-requestid': randomUUID(),
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  };
  if (bodyRead) {
    answer();
    return;
  }
  // Read the request to its end first, so the keep-alive connection stays usable.
  request.resume();
  request.once('end', answer);
}

function relay(request: IncomingMessage, response: ServerResponse, target: URL, agent: Agent, body?: Buffer): void {
  const upstream = forward(
    {
      host: target.hostname,
      port: target.port,
      method: request.method,
      path: request.url,
      headers: request.headers,
      agent,
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  // The emulator went away: the client sees its connection drop, as it would with the real thing.
  upstream.once('error', () => request.socket.destroy());
  response.once('close', () => {
    if (!response.writableFinished) upstream.destroy();
  });
  if (body === undefined) request.pipe(upstream);
  else upstream.end(body);
}
