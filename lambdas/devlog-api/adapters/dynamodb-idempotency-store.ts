import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ownerPartition } from '../../contract/index.js';
import type { Clock, IdempotencyClaim, IdempotencyStore, StoredResponse } from '../domain/ports.js';
import { ignoringFailedCondition } from './conditional-write.js';

/** How long a key is remembered (DynamoDB TTL deletes it afterwards). */
export const IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 60 * 60;
/** How long a claim answers retries with 409 before it counts as abandoned (a crashed request). */
export const IN_PROGRESS_TIMEOUT_MS = 30_000;

/*
 * Written by hand rather than with Powertools idempotency: that utility keys on a hash of the
 * whole event and reads the conflicting record through ReturnValuesOnConditionCheckFailure,
 * which the local DynamoDB emulator lacks. Our semantics (per-owner key, 409 while in flight,
 * 422 for another body, replay once done, resume an abandoned claim with its entry id) fit in
 * one conditional put and one read.
 */

/** Idempotency keys as items in the owner's partition of the entries table. */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  /** Claims the key with a conditional put; on conflict returns the existing claim. */
  async claim(ownerId: string, key: string, requestHash: string, entryId: string): Promise<IdempotencyClaim> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const nowMs = this.clock.now().getTime();
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...this.key(ownerId, key),
              requestHash,
              entryId,
              state: 'in-progress',
              inProgressUntil: nowMs + IN_PROGRESS_TIMEOUT_MS,
              expiresAt: Math.floor(nowMs / 1000) + IDEMPOTENCY_KEY_TTL_SECONDS,
            },
            // An expired key (TTL deletes lazily) is free again; an abandoned claim is not: its
            // entry id must be reused so the retry cannot create a second entry.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSeconds',
            ExpressionAttributeValues: { ':nowSeconds': Math.floor(nowMs / 1000) },
          }),
        );
        return { outcome: 'claimed' };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: this.key(ownerId, key), ConsistentRead: true }),
      );
      if (Item?.state === 'completed') {
        return { outcome: 'completed', requestHash: Item.requestHash, response: Item.response as StoredResponse };
      }
      if (Item?.state === 'in-progress') {
        return Number(Item.inProgressUntil) < nowMs
          ? { outcome: 'abandoned', requestHash: Item.requestHash, entryId: String(Item.entryId), quotaCounted: Item.quotaCounted === true }
          : { outcome: 'in-progress', requestHash: Item.requestHash };
      }
      // The claim was released between our put and read: try to claim again.
    }
    return { outcome: 'in-progress', requestHash };
  }

  /**
   * Stores the answer under the key, conditional on the claim's identity (its entry id): an
   * unconditional update would recreate a record that a DELETE of the entry removed meanwhile,
   * without its hash and expiry, and every retry with the key would get 422 for good.
   */
  async complete(ownerId: string, key: string, entryId: string, response: StoredResponse): Promise<void> {
    await ignoringFailedCondition(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(ownerId, key),
          UpdateExpression: 'SET #state = :completed, #response = :response REMOVE inProgressUntil, quotaCounted',
          ConditionExpression: 'entryId = :entryId',
          ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
          ExpressionAttributeValues: { ':completed': 'completed', ':response': response, ':entryId': entryId },
        }),
      ),
    );
  }

  /** Deletes an in-progress claim so a retry can run. */
  async release(ownerId: string, key: string): Promise<void> {
    await ignoringFailedCondition(
      this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: this.key(ownerId, key),
          ConditionExpression: '#state = :inProgress',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':inProgress': 'in-progress' },
        }),
      ),
    );
  }

  /** Ends the in-flight window of an in-progress claim at once, keeping its entry id for the retry and noting its entry was counted. */
  async suspend(ownerId: string, key: string): Promise<void> {
    await ignoringFailedCondition(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(ownerId, key),
          UpdateExpression: 'SET inProgressUntil = :ended, quotaCounted = :counted',
          ConditionExpression: '#state = :inProgress',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':ended': 0, ':counted': true, ':inProgress': 'in-progress' },
        }),
      ),
    );
  }

  /** Deletes the key's record if it still names the entry (a later claim of the key is left alone). */
  async forget(ownerId: string, key: string, entryId: string): Promise<void> {
    await ignoringFailedCondition(
      this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: this.key(ownerId, key),
          ConditionExpression: 'entryId = :entryId',
          ExpressionAttributeValues: { ':entryId': entryId },
        }),
      ),
    );
  }

  private key(ownerId: string, key: string) {
    return { pk: ownerPartition(ownerId), sk: `IDEMPOTENCY#${key}` };
  }
}
