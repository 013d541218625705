import { appendFile } from 'node:fs/promises';
import type { EventBridgeEnvelope } from '../../lambdas/contract/index.js';
import type { LogLine } from '../log.js';

/*
 * Hand-written: the local stack's stand-in for an EventBridge rule whose target is an API
 * destination (LOCAL_EVENTS_URL). Like EventBridge it POSTs each event as JSON, retries the
 * failures EventBridge retries (no answer, 401, 407, 409, 429, 5xx) with exponential backoff
 * and full jitter, within a number of attempts and an age, and then writes the event to a
 * dead-letter file instead of dropping it. Any other 4xx is not retried (the receiver refuses
 * the event; another try gets the same answer).
 */

/** How the local API destination retries. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** An event older than this (from its first attempt) is not tried again. */
  maxEventAgeMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Quicker than EventBridge's 185 attempts in 24 hours: a local receiver is down for seconds, not a day. */
export const LOCAL_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, maxEventAgeMs: 5 * 60_000, baseDelayMs: 500, maxDelayMs: 30_000 };

/** What a local API destination is built from. */
export interface ApiDestinationOptions {
  url: string;
  /** Where events that could not be delivered are appended, one JSON line each. */
  deadLetterFile: string;
  log: LogLine;
  retry?: RetryPolicy;
  requestTimeoutMs?: number;
  /** Waits between attempts; resolves early when `signal` aborts. Tests pass one that does not wait. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** A running local API destination. */
export interface ApiDestination {
  /** Starts delivering an event; never throws (a failure ends in retries and the dead-letter file). */
  deliver(event: EventBridgeEnvelope): void;
  /** Resolves once every event handed over so far is delivered or dead-lettered. */
  idle(): Promise<void>;
  /** Stops retrying: events still waiting go to the dead-letter file. */
  stop(): Promise<void>;
}

/** One line of the dead-letter file. */
export interface DeadLetter {
  event: EventBridgeEnvelope;
  attempts: number;
  reason: 'not retryable' | 'retries exhausted' | 'too old' | 'stopped';
  lastError: string;
}

const RETRYABLE_STATUSES = new Set([401, 407, 409, 429]);

/** Starts POSTing events to `url`, as an EventBridge API destination would. */
export function startApiDestination(options: ApiDestinationOptions): ApiDestination {
  const retry = options.retry ?? LOCAL_RETRY_POLICY;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();

  const deadLetter = async (letter: DeadLetter) => {
    await appendFile(options.deadLetterFile, `${JSON.stringify(letter)}\n`);
    options.log(
      `events: ${letter.event['detail-type']} ${letter.event.id} not delivered to ${options.url} (${letter.reason}: ${letter.lastError}); kept in ${options.deadLetterFile}`,
    );
  };

  const attempt = async (
    event: EventBridgeEnvelope,
  ): Promise<{ delivered: true } | { delivered: false; retryable: boolean; error: string }> => {
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(options.requestTimeoutMs ?? 5_000)]),
      });
      await response.body?.cancel();
      if (response.ok) return { delivered: true };
      return {
        delivered: false,
        retryable: response.status >= 500 || RETRYABLE_STATUSES.has(response.status),
        error: `HTTP ${response.status}`,
      };
    } catch (error) {
      return { delivered: false, retryable: true, error: (error as Error).message };
    }
  };

  const deliverWithRetries = async (event: EventBridgeEnvelope) => {
    const firstAttemptAt = now();
    for (let attempts = 1; ; attempts++) {
      const outcome = await attempt(event);
      if (outcome.delivered) return;
      if (stopping.signal.aborted) return deadLetter({ event, attempts, reason: 'stopped', lastError: outcome.error });
      if (!outcome.retryable) return deadLetter({ event, attempts, reason: 'not retryable', lastError: outcome.error });
      if (attempts >= retry.maxAttempts) return deadLetter({ event, attempts, reason: 'retries exhausted', lastError: outcome.error });
      const delayMs = Math.round(random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempts - 1)));
      if (now() + delayMs - firstAttemptAt > retry.maxEventAgeMs)
        return deadLetter({ event, attempts, reason: 'too old', lastError: outcome.error });
      await sleep(delayMs, stopping.signal);
    }
  };

  return {
    deliver(event) {
      const delivery = deliverWithRetries(event).catch((error: Error) =>
        options.log(`events: delivering ${event.id} failed: ${error.message}`),
      );
      inFlight.add(delivery);
      void delivery.finally(() => inFlight.delete(delivery));
    },
    idle: async () => {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    async stop() {
      stopping.abort();
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
