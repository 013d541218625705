import { parse } from '@aws-lambda-powertools/parser';
import { DynamoDBStreamRecord } from '@aws-lambda-powertools/parser/schemas/dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { awsClientConfig, type EntryEvent } from '../../contract/index.js';
import type { UseCaseLogger } from '../domain/ports.js';
import { entryEventOf } from './entry-event-of.js';
import type { EntryEventsEnv } from './env.js';
import { EventBridgeEventPublisher, type EventPublisher } from './event-publisher.js';
import { ENTRY_EVENTS_SETTINGS } from './settings.js';

/** What the entry events publisher is built from. */
export interface EntryEventsPublisherDeps {
  publisher: EventPublisher;
  logger: UseCaseLogger & { addContext?(context: Context): void };
}

/** The publisher's Lambda handler: a DynamoDB stream batch in, the record to retry from out. */
export type EntryEventsHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

/**
 * Builds the handler that turns the entries table's stream into entry events on the bus. The
 * events come from the stream, never from a write beside the tag write, so a tag write that
 * happened always yields its event and one that did not never does. The batch's events are
 * published in stream order; when one is refused, Lambda retries from its record (the events
 * before it are out; those after it may go out twice: consumers dedupe on entryId + revision).
 */
export function createEntryEventsPublisher(deps: EntryEventsPublisherDeps): EntryEventsHandler {
  return async (event, context) => {
    deps.logger.addContext?.(context);
    const pending = event.Records.flatMap((record) => {
      const entryEvent = readRecord(record, deps);
      return entryEvent ? [{ sequenceNumber: record.dynamodb?.SequenceNumber ?? '', event: entryEvent }] : [];
    });
    if (pending.length === 0) return { batchItemFailures: [] };
    let accepted: boolean[];
    try {
      accepted = await deps.publisher.publish(pending.map(({ event: entryEvent }) => entryEvent));
    } catch (error) {
      deps.logger.warn('could not publish the entry events; the batch is retried', { error: String(error) });
      accepted = [];
    }
    const firstRefused = pending.findIndex((_item, index) => accepted[index] !== true);
    if (firstRefused === -1) return { batchItemFailures: [] };
    if (firstRefused > 0 || accepted.length > 0) {
      deps.logger.warn('the bus refused an entry event; retrying from its record', {
        entryId: pending[firstRefused]?.event.detail.entryId,
      });
    }
    return { batchItemFailures: [{ itemIdentifier: pending[firstRefused]?.sequenceNumber ?? '' }] };
  };
}

/** The event of one stream record; undefined for records that mean none, and for those no retry can read. */
function readRecord(record: DynamoDBRecord, deps: EntryEventsPublisherDeps): EntryEvent | undefined {
  const parsed = parse(record, undefined, DynamoDBStreamRecord, true);
  if (!parsed.success) {
    // Retrying cannot make it readable, and a stuck record would hold up every later one of its shard.
    deps.logger.error('skipped an unreadable stream record', { eventID: record.eventID, issue: parsed.error.message.slice(0, 300) });
    return undefined;
  }
  const { Keys, OldImage, NewImage } = parsed.data.dynamodb;
  try {
    return entryEventOf({
      keys: Keys as Record<string, unknown>,
      ...(OldImage ? { oldImage: OldImage as Record<string, unknown> } : {}),
      ...(NewImage ? { newImage: NewImage as Record<string, unknown> } : {}),
      recordedAt: new Date((record.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000),
    });
  } catch (error) {
    deps.logger.error('skipped a stream record whose entry breaks the event contract', {
      eventID: record.eventID,
      issue: String(error).slice(0, 300),
    });
    return undefined;
  }
}

/** What the publisher's handler is built from besides its configuration. */
export interface EntryEventsHandlerDeps {
  eventBridgeClient: EventBridgeClient;
  logger: EntryEventsPublisherDeps['logger'];
}

/** Builds the publisher onto the stage's bus from its configuration, SDK client and logger, as Lambda and the local stack both run it. */
export function createEntryEventsHandler(env: EntryEventsEnv, { eventBridgeClient, logger }: EntryEventsHandlerDeps): EntryEventsHandler {
  return createEntryEventsPublisher({ publisher: new EventBridgeEventPublisher(eventBridgeClient, env.EVENT_BUS_NAME), logger });
}

/** The publisher's EventBridge client: the contract's call budget for its timeout, pointed where `endpoint` says (the local bus) or at AWS. */
export function createEventBridgeClient(
  target: { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string }; endpoint?: string } = {},
): EventBridgeClient {
  return new EventBridgeClient({ ...awsClientConfig(ENTRY_EVENTS_SETTINGS.functionTimeoutSeconds), ...target });
}
