import type { EventBridgeClient, PutEventsCommandInput, PutEventsCommandOutput, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { BilledFunction } from '../../lib/shared/resource-settings.js';
import type { UsageMeter } from './usage-meter.js';

/**
 * A PutEvents entry's size as EventBridge counts it (user guide, "Calculating PutEvents event
 * entry size"): 14 bytes for Time when set, and Source, DetailType, Detail and each Resources
 * entry in UTF-8 bytes.
 */
export function putEventsEntryBytes(entry: PutEventsRequestEntry): number {
  const strings = [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])];
  return (entry.Time ? 14 : 0) + strings.reduce((sum, text) => sum + (text ? Buffer.byteLength(text) : 0), 0);
}

/**
 * Meters the PutEvents calls `client` makes for `fn`: each entry the bus accepted (an EventId in
 * the answer; a refused entry is not published), sized as EventBridge sizes it. No enforcing
 * proxy stands in front of the local bus (the function's role holds no table or queue call), so
 * the meter sits on the function's own client, as an SDK middleware, and sees what was sent and
 * what the bus answered.
 */
export function meterEventBridgeClient(client: EventBridgeClient, meter: UsageMeter, fn: BilledFunction): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'PutEventsCommand') {
        const sent = (args.input as PutEventsCommandInput).Entries ?? [];
        const answered = (result.output as PutEventsCommandOutput).Entries ?? [];
        meter.eventBridge(fn, 'PutEvents', sent.filter((_entry, index) => answered[index]?.EventId).map(putEventsEntryBytes));
      }
      return result;
    },
    { step: 'initialize', name: 'usageMeter' },
  );
}
