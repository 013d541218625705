import { type LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

/** Writes one human-readable line. */
export type LogLine = (line: string) => void;

/** Prints a line with a short local time in front, the format of every line the local stack prints. */
export function consoleLog(line: string): void {
  process.stdout.write(`${clockTime(new Date())} ${line}\n`);
}

function clockTime(date: Date): string {
  return date.toTimeString().slice(0, 8);
}

/** Context keys Powertools adds to every line; useful in CloudWatch, noise on a terminal. */
const HIDDEN_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
]);

/**
 * Turns a Powertools Logger JSON line into `12:00:01 INFO  [service] message key=value ...`,
 * or returns undefined when the text is not one.
 */
export function formatPowertoolsLine(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}') || trimmed.includes('\n')) return undefined;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof record.level !== 'string' || typeof record.message !== 'string' || !('timestamp' in record)) return undefined;
  const time = typeof record.timestamp === 'string' ? new Date(record.timestamp) : new Date();
  const fields = Object.entries(record)
    .filter(([key, value]) => !HIDDEN_KEYS.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  const service = typeof record.service === 'string' ? ` [${record.service}]` : '';
  return [`${clockTime(time)} ${record.level.padEnd(5)}${service} ${record.message}`, ...fields].join(' ');
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (isLoggedError(value)) return JSON.stringify(`${value.name}: ${value.message}${value.location ? ` (${value.location})` : ''}`);
  return JSON.stringify(value);
}

function isLoggedError(value: unknown): value is { name: string; message: string; location?: string } {
  return typeof value === 'object' && value !== null && 'name' in value && 'message' in value && 'stack' in value;
}

/**
 * A Powertools Logger that hands each JSON line to `write` instead of printing it: whoever
 * builds a handler decides where its logs go (a terminal, readable; a test's memory). Built on
 * printLog, the hook Powertools leaves subclasses, since its console cannot be replaced.
 */
export class LineLogger extends Logger {
  readonly #write: (jsonLine: string) => void;

  constructor(write: (jsonLine: string) => void, options: ConstructorOptions = {}) {
    super(options);
    this.#write = write;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    // Lines Powertools logs while its own constructor runs come before `#write` exists.
    if (!(#write in this)) {
      super.printLog(logLevel, log);
      return;
    }
    log.prepareForPrint();
    this.#write(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new LineLogger(this.#write, options);
  }
}

/** Prints a handler's JSON log line as it is, as Lambda does. */
export function writeLineToStdout(jsonLine: string): void {
  process.stdout.write(`${jsonLine}\n`);
}

/** Prints a handler's JSON log line as one readable line (see formatPowertoolsLine). */
export function writeReadableLine(jsonLine: string): void {
  process.stdout.write(`${formatPowertoolsLine(jsonLine) ?? jsonLine}\n`);
}
