import { LineLogger } from '../../../local/log.js';

/** A Powertools Logger that keeps its JSON lines in memory (at DEBUG unless told), for handlers built in a test. */
export function capturedLogger(
  serviceName: string,
  logLevel: 'DEBUG' | 'INFO' = 'DEBUG',
): { logger: LineLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = new LineLogger((line) => lines.push(JSON.parse(line) as Record<string, unknown>), { serviceName, logLevel });
  return { logger, lines };
}
