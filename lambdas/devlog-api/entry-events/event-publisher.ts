import { PutEventsCommand, type PutEventsRequestEntry, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ENTRY_EVENT_SOURCE, type EntryEvent } from '../../contract/index.js';

/** Where the entry events go: publishes them in order; which of them were accepted. */
export interface EventPublisher {
  publish(events: readonly EntryEvent[]): Promise<boolean[]>;
}

/** PutEvents takes at most 10 entries and 256 KB a call (an entry's size as EventBridge counts it, about its strings' bytes). */
const MAX_ENTRIES_PER_CALL = 10;
const MAX_BYTES_PER_CALL = 256 * 1024;

/** The entry events on an EventBridge bus, through PutEvents. */
export class EventBridgeEventPublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  /** Sends the events in calls of at most 10 entries and 256 KB; an entry PutEvents refused is reported, not thrown. */
  async publish(events: readonly EntryEvent[]): Promise<boolean[]> {
    const accepted: boolean[] = [];
    for (const chunk of chunks(events.map((event) => this.entryOf(event)))) {
      const { Entries = [] } = await this.client.send(new PutEventsCommand({ Entries: chunk }));
      accepted.push(...chunk.map((_entry, index) => Boolean(Entries[index]?.EventId) && !Entries[index]?.ErrorCode));
    }
    return accepted;
  }

  private entryOf(event: EntryEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: ENTRY_EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Time: new Date(event.detail.occurredAt),
    };
  }
}

function chunks(entries: PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const result: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(`${entry.Source}${entry.DetailType}${entry.Detail}`) + 14;
    if (current.length === MAX_ENTRIES_PER_CALL || (current.length > 0 && bytes + size > MAX_BYTES_PER_CALL)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}
