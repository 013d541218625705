import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_EVENT_SCHEMAS, type EventBridgeEnvelope } from '../../lambdas/contract/index.js';
import { closeServer, listenOnLoopback, readBody } from '../../local/http-server.js';
import { vocabularyAnswer } from '../support/entries.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait.js';

/*
 * The entry events through the whole local stack, on the path they take in AWS: the tag write,
 * the entries stream, the publisher, the bus. The receiver at LOCAL_EVENTS_URL refuses its first
 * request, so the event it keeps came through a retry.
 */

let test: TestStack;
let receiver: Server;
const received: EventBridgeEnvelope[] = [];
let requests = 0;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    void readBody(request, 1_000_000).then(({ body }) => {
      requests += 1;
      if (requests === 1) return response.writeHead(503).end();
      received.push(JSON.parse(body.toString('utf8')) as EventBridgeEnvelope);
      response.writeHead(204).end();
    });
  });
  const port = await listenOnLoopback(receiver);
  test = await startTestStack({ model: { answer: vocabularyAnswer }, env: { LOCAL_EVENTS_URL: `http://127.0.0.1:${port}/hooks/devlog` } });
});

afterAll(async () => {
  await test?.stop();
  if (receiver) await closeServer(receiver);
});

async function eventsFile(): Promise<EventBridgeEnvelope[]> {
  const text = await readFile(path.join(test.dataDir, 'events.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as EventBridgeEnvelope);
}

describe('entry events of npm start', () => {
  it('writes EntryTagged and EntryDeleted to events.jsonl in the EventBridge envelope, and POSTs them to LOCAL_EVENTS_URL, retrying a failure', async () => {
    // Arrange
    const client = await test.client('events-user');
    const text = 'Heute habe ich eine Anwendung mit Django geschrieben und nach Elasticsearch indexiert.';

    // Act
    const id = String((await client.post(text)).body.id);
    const tagged = await waitFor(
      async () =>
        (await eventsFile()).find(
          (event) => event['detail-type'] === 'EntryTagged' && (event.detail as { entryId: string }).entryId === id,
        ),
      {
        timeoutMs: 40_000,
        what: 'EntryTagged in events.jsonl',
      },
    );
    await client.delete(id);
    await waitFor(async () => (received.length >= 2 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'both events at LOCAL_EVENTS_URL',
      describe: () => JSON.stringify({ requests, received: received.map((event) => event['detail-type']) }),
    });

    // Assert
    expect(tagged).toMatchObject({ version: '0', source: 'devlog-tags', account: '000000000000', region: 'us-east-1', resources: [] });
    expect(tagged.id).toEqual(expect.any(String));
    expect(tagged.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(ENTRY_EVENT_SCHEMAS.EntryTagged[1].parse(tagged.detail)).toMatchObject({
      ownerId: 'events-user',
      entryId: id,
      revision: 1,
      text,
    });
    expect((tagged.detail as { tags: { value: string }[] }).tags.map((tag) => tag.value).sort()).toEqual(['Django', 'Elasticsearch']);
    expect(requests).toBeGreaterThan(received.length);
    // Like EventBridge, the destination keeps no order: the refused first event arrives after its retry.
    expect(received.map((event) => event['detail-type']).sort()).toEqual(['EntryDeleted', 'EntryTagged']);
    expect(received.find((event) => event.id === tagged.id)).toEqual(tagged);
    expect((await eventsFile()).map((event) => event['detail-type'])).toEqual(['EntryTagged', 'EntryDeleted']);
  }, 90_000);
});
