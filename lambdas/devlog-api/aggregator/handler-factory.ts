import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { parse } from '@aws-lambda-powertools/parser';
import { DynamoDBStreamRecord } from '@aws-lambda-powertools/parser/schemas/dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENTRY_SORT_PREFIX } from '../../contract/index.js';
import { DynamoDbEntryTagSource } from '../adapters/dynamodb-entry-tag-source.js';
import { DynamoDbTagAggregates } from '../adapters/dynamodb-tag-aggregates.js';
import type { UseCaseLogger } from '../domain/ports.js';
import { syncEntryTags, type SyncEntryTagsDeps } from '../domain/sync-entry-tags.js';
import type { AggregatorEnv } from './env.js';

/** What the aggregator needs besides its ports. */
export interface TechStackAggregatorDeps extends SyncEntryTagsDeps {
  logger: UseCaseLogger & { addContext?(context: Context): void };
}

/** The aggregator's Lambda handler: a DynamoDB stream batch in, the records to retry out. */
export type TechStackAggregatorHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

const OWNER_PREFIX = 'OWNER#';

/**
 * Builds the handler of the entries table's stream: each record of an entry whose tags may
 * have changed syncs that entry's aggregates (lambdas/devlog-api/domain/sync-entry-tags.ts).
 * Records are handled in stream order; a failed one is reported, and Lambda retries from it.
 */
export function createTechStackAggregator(deps: TechStackAggregatorDeps): TechStackAggregatorHandler {
  return async (event, context) => {
    deps.logger.addContext?.(context);
    // A processor per invocation: it holds the batch's results (see the extraction handler).
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    return processPartialResponse(event, (record: DynamoDBRecord) => handleRecord(record, deps), processor, {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
  };
}

/** What the aggregator's handler is built from besides its configuration. */
export interface AggregatorHandlerDeps {
  documentClient: DynamoDBDocumentClient;
  logger: Logger;
}

/** Builds the aggregator over the two tables from its configuration, SDK client and logger, as Lambda and the local stack both run it. */
export function createAggregatorHandler(env: AggregatorEnv, { documentClient, logger }: AggregatorHandlerDeps): TechStackAggregatorHandler {
  return createTechStackAggregator({
    entries: new DynamoDbEntryTagSource(documentClient, env.TABLE_NAME),
    aggregates: new DynamoDbTagAggregates(documentClient, env.TAGS_TABLE_NAME),
    logger,
  });
}

async function handleRecord(record: DynamoDBRecord, deps: TechStackAggregatorDeps): Promise<void> {
  const change = entryChangeOf(record);
  if (change.kind === 'unreadable') {
    // Retrying cannot make it readable, and a stuck record would hold up every later one of its shard.
    deps.logger.error('skipped an unreadable stream record', { eventID: record.eventID, issue: change.issue });
    return;
  }
  if (change.kind === 'ignored') return;
  await syncEntryTags(deps, change.ownerId, change.entryId);
}

/** What a stream record says about the entries. */
export type EntryChange =
  | { kind: 'tags-may-have-changed'; ownerId: string; entryId: string }
  /** Not an entry (an idempotency key), or a write that left the entry's tags alone (status, enqueuedAt). */
  | { kind: 'ignored' }
  | { kind: 'unreadable'; issue: string };

/** Reads a stream record of the entries table: which entry, and whether its tags may have changed. */
export function entryChangeOf(record: DynamoDBRecord): EntryChange {
  const parsed = parse(record, undefined, DynamoDBStreamRecord, true);
  if (!parsed.success) return { kind: 'unreadable', issue: parsed.error.message.slice(0, 300) };
  const { Keys, OldImage, NewImage } = parsed.data.dynamodb;
  const { pk, sk } = Keys as Record<string, unknown>;
  if (typeof pk !== 'string' || typeof sk !== 'string' || !pk.startsWith(OWNER_PREFIX) || !sk.startsWith(ENTRY_SORT_PREFIX)) {
    return { kind: 'ignored' };
  }
  if (sameTags(OldImage?.tags, NewImage?.tags)) return { kind: 'ignored' };
  return { kind: 'tags-may-have-changed', ownerId: pk.slice(OWNER_PREFIX.length), entryId: sk.slice(ENTRY_SORT_PREFIX.length) };
}

function sameTags(before: unknown, after: unknown): boolean {
  return JSON.stringify(before ?? []) === JSON.stringify(after ?? []);
}
