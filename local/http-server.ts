import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Everything local listens on loopback only: nothing here is meant to be reachable from the network. */
export const LOOPBACK = '127.0.0.1';

/** Starts listening on the loopback interface and resolves with the bound port (port 0: a free one). */
export function listenOnLoopback(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, LOOPBACK, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Closes a server and drops its keep-alive connections, so a stop never waits for an SDK
 * agent to let go of an idle socket.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}

/**
 * Reads a request body; past `maxBytes` it keeps draining without storing, because breaking
 * off would reset the socket and the client would never see the 413.
 */
export async function readBody(request: AsyncIterable<Buffer | string>, maxBytes: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size <= maxBytes) chunks.push(buffer);
  }
  return size > maxBytes ? { body: Buffer.alloc(0), tooLarge: true } : { body: Buffer.concat(chunks), tooLarge: false };
}
