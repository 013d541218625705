import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ENTRY_EVENT_FIXTURES } from '../../../lambdas/contract/fixtures/index.js';
import type { EventBridgeEnvelope } from '../../../lambdas/contract/index.js';
import { type DeadLetter, startApiDestination } from '../../../local/events/api-destination.js';
import { closeServer, listenOnLoopback, readBody } from '../../../local/http-server.js';
import { testTempDir } from '../../support/temp-root.js';

const EVENT = ENTRY_EVENT_FIXTURES.EntryTagged[1] as EventBridgeEnvelope;
const servers: Server[] = [];

/** A receiver that answers each POST with the next status of `statuses` (the last one from then on). */
async function receiver(statuses: number[]) {
  const bodies: unknown[] = [];
  const server = createServer((request, response) => {
    void readBody(request, 1_000_000).then(({ body }) => {
      bodies.push(JSON.parse(body.toString('utf8')));
      response.writeHead(statuses[Math.min(bodies.length, statuses.length) - 1] ?? 200).end();
    });
  });
  servers.push(server);
  const port = await listenOnLoopback(server);
  return { url: `http://127.0.0.1:${port}/events`, bodies };
}

/** A destination whose waits between attempts are recorded and take no time: they only move its clock on. */
function destination(url: string, retry = { maxAttempts: 4, maxEventAgeMs: 60_000, baseDelayMs: 100, maxDelayMs: 1_000 }) {
  const deadLetterFile = path.join(testTempDir('events-'), 'events-dlq.jsonl');
  const delays: number[] = [];
  const logged: string[] = [];
  let clock = Date.parse('2026-12-01T10:00:00Z');
  const api = startApiDestination({
    url,
    deadLetterFile,
    log: (line) => logged.push(line),
    retry,
    random: () => 1,
    now: () => clock,
    sleep: async (ms) => {
      delays.push(ms);
      clock += ms;
    },
  });
  const deadLetters = async (): Promise<DeadLetter[]> =>
    (await readFile(deadLetterFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as DeadLetter);
  return { api, delays, logged, deadLetters };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer));
});

describe('the local API destination (LOCAL_EVENTS_URL)', () => {
  it('POSTs the event as JSON and, after a failure, retries it with a growing backoff until it is delivered', async () => {
    // Arrange
    const { url, bodies } = await receiver([500, 503, 200]);
    const { api, delays, deadLetters } = destination(url);

    // Act
    api.deliver(EVENT);
    await api.idle();

    // Assert
    expect(bodies).toEqual([EVENT, EVENT, EVENT]);
    expect(delays).toEqual([100, 200]);
    expect(await deadLetters()).toEqual([]);
  });

  it.each([[429], [409], [401]])('retries a %i as EventBridge does', async (status) => {
    const { url, bodies } = await receiver([status, 200]);
    const { api } = destination(url);

    api.deliver(EVENT);
    await api.idle();

    expect(bodies).toHaveLength(2);
  });

  it('keeps an event in the dead-letter file once its attempts are used up', async () => {
    const { url, bodies } = await receiver([503]);
    const { api, deadLetters, logged } = destination(url);

    api.deliver(EVENT);
    await api.idle();

    expect(bodies).toHaveLength(4);
    expect(await deadLetters()).toEqual([{ event: EVENT, attempts: 4, reason: 'retries exhausted', lastError: 'HTTP 503' }]);
    expect(logged.join('\n')).toContain(EVENT.id);
  });

  it('does not retry a refusal (400) but keeps the event', async () => {
    const { url, bodies } = await receiver([400]);
    const { api, deadLetters } = destination(url);

    api.deliver(EVENT);
    await api.idle();

    expect(bodies).toHaveLength(1);
    expect(await deadLetters()).toEqual([expect.objectContaining({ attempts: 1, reason: 'not retryable', lastError: 'HTTP 400' })]);
  });

  it('stops retrying an event older than the policy allows', async () => {
    const { url, bodies } = await receiver([500]);
    const { api, deadLetters } = destination(url, { maxAttempts: 100, maxEventAgeMs: 250, baseDelayMs: 100, maxDelayMs: 1_000 });

    api.deliver(EVENT);
    await api.idle();

    // Waits of 100 and 200 ms would make it 300 ms old at the third retry: it stops after the second attempt.
    expect(bodies).toHaveLength(2);
    expect(await deadLetters()).toEqual([expect.objectContaining({ attempts: 2, reason: 'too old' })]);
  });

  it('retries when nothing answers at the URL', async () => {
    const { url } = await receiver([200]);
    await closeServer(servers.pop()!);
    const { api, deadLetters } = destination(url, { maxAttempts: 2, maxEventAgeMs: 60_000, baseDelayMs: 10, maxDelayMs: 10 });

    api.deliver(EVENT);
    await api.idle();

    expect(await deadLetters()).toEqual([expect.objectContaining({ attempts: 2, reason: 'retries exhausted' })]);
  });
});
