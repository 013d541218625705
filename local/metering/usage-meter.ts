import { randomUUID } from 'node:crypto';
import { ACCESS_LOG_FORMAT, type BilledFunction, FUNCTION_SETTINGS, SYSTEM_LOG_LEVEL } from '../../lib/shared/resource-settings.js';

/** What one function used, as AWS bills it. */
export interface FunctionUsage {
  invocations: number;
  /** Sum of each invocation's duration rounded up to the millisecond, as Lambda bills it. */
  billedMs: number;
  dynamoDbReadUnits: number;
  dynamoDbWriteUnits: number;
  /** SQS requests, each 64 KiB chunk of a payload counted as one, as SQS bills them. */
  sqsRequests: number;
  /** ReceiveMessage calls that returned nothing (the event source mapping's idle polls). */
  emptyReceives: number;
  /** Custom events the bus accepted, each 64 KB chunk of an entry counted as one, as EventBridge bills them. */
  eventBridgeEvents: number;
  /** Log events written to the function's log group, and their bytes (without CloudWatch's per-event overhead). */
  logEvents: number;
  logBytes: number;
  /** Calls by service and operation (`dynamodb:PutItem`), for the reader. */
  calls: Record<string, number>;
}

/** Everything the meter saw since its last reset. */
export interface MeterReading {
  functions: Record<BilledFunction, FunctionUsage>;
  httpApi: { requests: number; accessLogEvents: number; accessLogBytes: number };
}

/** An HTTP API request as the access log and the bill see it. */
export interface MeteredHttpRequest {
  requestBytes: number;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  sub?: string;
}

/** HTTP API requests are metered in 512 KB increments. */
const HTTP_API_METERING_BYTES = 512 * 1024;
/** SQS bills each 64 KiB chunk of a request's payload as one request. */
const SQS_CHUNK_BYTES = 64 * 1024;
/** EventBridge bills each 64 KB chunk of an event's payload as one event. */
const EVENTBRIDGE_CHUNK_BYTES = 64 * 1024;

function emptyUsage(): FunctionUsage {
  return {
    invocations: 0,
    billedMs: 0,
    dynamoDbReadUnits: 0,
    dynamoDbWriteUnits: 0,
    sqsRequests: 0,
    emptyReceives: 0,
    eventBridgeEvents: 0,
    logEvents: 0,
    logBytes: 0,
    calls: {},
  };
}

function emptyReading(): MeterReading {
  return {
    functions: {
      api: emptyUsage(),
      reconciler: emptyUsage(),
      extraction: emptyUsage(),
      aggregator: emptyUsage(),
      entryEvents: emptyUsage(),
    },
    httpApi: { requests: 0, accessLogEvents: 0, accessLogBytes: 0 },
  };
}

/**
 * Counts, per function, every billed thing the local stack sees: the calls the enforcing proxies
 * forward, each invocation with its duration, the log lines the handlers and Lambda itself write,
 * and the HTTP API's requests with their access log lines. The bench reads it to bill a run as
 * AWS would (bench/bill.ts); nothing is kept per entry by hand, so a call the code adds is billed.
 */
export class UsageMeter {
  #reading = emptyReading();

  /** A DynamoDB call and the capacity units it consumed. */
  dynamoDb(fn: BilledFunction, operation: string, units: { read?: number; write?: number }): void {
    const usage = this.#count(fn, `dynamodb:${operation}`);
    usage.dynamoDbReadUnits += units.read ?? 0;
    usage.dynamoDbWriteUnits += units.write ?? 0;
  }

  /** An SQS call with a payload of `payloadBytes`; `empty` for a receive that returned no message. */
  sqs(fn: BilledFunction, operation: string, payloadBytes: number, empty = false): void {
    const usage = this.#count(fn, `sqs:${operation}`);
    usage.sqsRequests += Math.max(1, Math.ceil(payloadBytes / SQS_CHUNK_BYTES));
    if (empty) usage.emptyReceives++;
  }

  /** An EventBridge call that put entries of these sizes (local/metering/eventbridge-meter.ts) on the bus. */
  eventBridge(fn: BilledFunction, operation: string, acceptedEntryBytes: readonly number[]): void {
    const usage = this.#count(fn, `events:${operation}`);
    usage.eventBridgeEvents += acceptedEntryBytes.reduce((sum, bytes) => sum + Math.max(1, Math.ceil(bytes / EVENTBRIDGE_CHUNK_BYTES)), 0);
  }

  /** One invocation that took `durationMs`, with the log events Lambda writes around it at SYSTEM_LOG_LEVEL. */
  invocation(fn: BilledFunction, durationMs: number): void {
    const usage = this.#reading.functions[fn];
    usage.invocations++;
    usage.billedMs += Math.max(1, Math.ceil(durationMs));
    if (SYSTEM_LOG_LEVEL === 'INFO') {
      for (const line of platformLogLines(fn, durationMs)) this.log(fn, line);
    }
  }

  /** One log event the function wrote (a Powertools line, an EMF metrics blob). */
  log(fn: BilledFunction, line: string): void {
    const usage = this.#reading.functions[fn];
    usage.logEvents++;
    usage.logBytes += Buffer.byteLength(line);
  }

  /** One request through the HTTP API, and its access log line in the stack's format. */
  httpApiRequest(request: MeteredHttpRequest): void {
    this.#reading.httpApi.requests += Math.max(1, Math.ceil(request.requestBytes / HTTP_API_METERING_BYTES));
    this.#reading.httpApi.accessLogEvents++;
    this.#reading.httpApi.accessLogBytes += Buffer.byteLength(accessLogLine(request));
  }

  /** What was counted since the last reset (a copy). */
  read(): MeterReading {
    return structuredClone(this.#reading);
  }

  /** Starts counting afresh. */
  reset(): void {
    this.#reading = emptyReading();
  }

  #count(fn: BilledFunction, call: string): FunctionUsage {
    const usage = this.#reading.functions[fn];
    usage.calls[call] = (usage.calls[call] ?? 0) + 1;
    return usage;
  }
}

/**
 * The events Lambda writes per invocation in the JSON log format at INFO: platform.start and
 * platform.report (with the trace header under active tracing), with typical values.
 */
function platformLogLines(fn: BilledFunction, durationMs: number): string[] {
  const time = new Date().toISOString();
  const requestId = randomUUID();
  const { memoryMb, tracing } = FUNCTION_SETTINGS[fn];
  const record = {
    requestId,
    metrics: {
      durationMs: Math.round(durationMs * 100) / 100,
      billedDurationMs: Math.ceil(durationMs),
      memorySizeMB: memoryMb,
      maxMemoryUsedMB: 118,
    },
    ...(tracing === 'active'
      ? {
          tracing: {
            spanId: '4ad3f7c1b20e9d57',
            type: 'X-Amzn-Trace-Id',
            value: 'Root=1-6755a1b2-3f0c9e8d7a6b5c4d3e2f1a0b;Parent=7c1d2e3f4a5b6c7d;Sampled=0;Lineage=1:6d2c8a14:0',
          },
        }
      : {}),
    status: 'success',
  };
  return [
    JSON.stringify({ time, type: 'platform.start', record: { requestId, version: '$LATEST' } }),
    JSON.stringify({ time, type: 'platform.report', record }),
  ];
}

/** The access log line API Gateway writes for a request, in the stack's format (lib/shared/resource-settings.ts). */
function accessLogLine(request: MeteredHttpRequest): string {
  const values: Record<string, string> = {
    '$context.requestId': 'Kx3b7gR2IAMEVdQ=',
    '$context.identity.sourceIp': '203.0.113.27',
    '$context.authorizer.claims.sub': request.sub ?? '3f9a1c2e-7b4d-4e8a-9c61-2d5f0b7a8e13',
    '$context.httpMethod': request.method,
    '$context.path': request.path,
    '$context.status': String(request.status),
    '$context.responseLatency': String(Math.round(request.latencyMs)),
    '$context.integrationErrorMessage': '-',
    '$context.authorizer.error': '-',
  };
  return JSON.stringify(Object.fromEntries(Object.entries(ACCESS_LOG_FORMAT).map(([field, variable]) => [field, values[variable] ?? '-'])));
}
