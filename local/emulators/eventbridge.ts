import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { EventBridgeEnvelope } from '../../lambdas/contract/index.js';
import { closeServer, listenOnLoopback, LOOPBACK, readBody } from '../http-server.js';
import { LOCAL_RESOURCES } from '../settings.js';

/*
 * Hand-written: no maintained npm package emulates EventBridge without Docker or Java. This is
 * just PutEvents on one bus, over the AWS JSON 1.1 protocol the real SDK speaks, so the entry
 * events publisher runs locally exactly as in Lambda. Each accepted event is written, in the
 * envelope EventBridge delivers to targets, to the events file (the answer waits for the write,
 * so an accepted event is on disk) and handed to `onEvent` (the local API destination).
 */

/** What the local bus is built from. */
export interface LocalEventBusOptions {
  busName: string;
  /** Where every accepted event is appended, one envelope per line (`<DATA_DIR>/events.jsonl`). */
  eventsFile: string;
  onEvent?: (event: EventBridgeEnvelope) => void;
}

/** A running local bus. */
export interface LocalEventBus {
  /** Where the SDK's EventBridge client sends PutEvents. */
  endpoint: string;
  stop(): Promise<void>;
}

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  /** Epoch seconds, as the JSON protocol sends a timestamp. */
  Time?: number;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** Starts the local bus on a free loopback port. */
export async function startLocalEventBus(options: LocalEventBusOptions): Promise<LocalEventBus> {
  const busArn = `arn:aws:events:${LOCAL_RESOURCES.region}:${LOCAL_RESOURCES.accountId}:event-bus/${options.busName}`;
  let writes: Promise<unknown> = Promise.resolve();

  const putEvents = async (entries: PutEventsEntry[]) => {
    const accepted: EventBridgeEnvelope[] = [];
    const results = entries.map((entry) => {
      if (entry.EventBusName !== options.busName && entry.EventBusName !== busArn) {
        return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${entry.EventBusName} does not exist.` };
      }
      const detail = parseObject(entry.Detail);
      if (!entry.Source || !entry.DetailType || !detail) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      const envelope: EventBridgeEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: LOCAL_RESOURCES.accountId,
        time: (entry.Time === undefined ? new Date() : new Date(entry.Time * 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: LOCAL_RESOURCES.region,
        resources: entry.Resources ?? [],
        detail,
      };
      accepted.push(envelope);
      return { EventId: envelope.id };
    });
    const lines = accepted.map((event) => `${JSON.stringify(event)}\n`).join('');
    // One append at a time, so lines of concurrent calls never interleave.
    const write = writes.then(() => (lines ? appendFile(options.eventsFile, lines) : undefined));
    writes = write.catch(() => undefined);
    await write;
    for (const event of accepted) options.onEvent?.(event);
    return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
  };

  const server = createServer((request, response) => {
    void (async () => {
      const { body } = await readBody(request, MAX_BODY_BYTES);
      if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        return answer(response, 400, { __type: 'UnknownOperationException', message: 'the local bus only knows PutEvents' });
      }
      const input = parseObject(body.toString('utf8')) as { Entries?: PutEventsEntry[] } | undefined;
      const entries = input?.Entries ?? [];
      if (entries.length < 1 || entries.length > 10) {
        return answer(response, 400, { __type: 'ValidationException', message: 'Entries must hold 1 to 10 entries' });
      }
      answer(response, 200, await putEvents(entries));
    })().catch((error: Error) => answer(response, 500, { __type: 'InternalException', message: error.message }));
  });
  const port = await listenOnLoopback(server);
  return { endpoint: `http://${LOOPBACK}:${port}`, stop: () => closeServer(server) };
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text ?? '');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
