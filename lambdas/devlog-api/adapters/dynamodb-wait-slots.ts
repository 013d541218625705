import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENTRY_TABLE, ownerPartition } from '../../contract/index.js';
import type { Clock } from '../domain/ports.js';
import type { WaitLease, WaitSlots } from '../domain/wait-for-entry.js';
import { ignoringFailedCondition, unlessConditionFailed } from './conditional-write.js';

/** Sort key of a user's wait slots in their partition of the entries table. */
export const WAIT_SLOTS_SORT_KEY = 'WAITS';
/** How long the slots item outlives its last lease before TTL may delete it (it is recreated on demand). */
const SLOTS_ITEM_TTL_SECONDS = 24 * 60 * 60;

/*
 * Written by hand: no maintained library keeps a per-key semaphore with expiring leases in
 * DynamoDB, and dynalite (the local emulator) has no TransactWriteItems. One item per user holds
 * a fixed number of slots, `s<k>` (the lease's expiry, epoch ms) and `h<k>` (its holder); a
 * slot is taken with a conditional write that succeeds only while it is free or expired, so a
 * crashed holder's slot frees itself, and a wait costs one read and two writes of a small item
 * however many waits the user ever made.
 */

/** Each user's open waits as expiring slots on one item of their partition. */
export class DynamoDbWaitSlots implements WaitSlots {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly maxOpenWaits: number,
  ) {}

  /** Reads the slots, takes a free or expired one conditionally; re-reads when another request took it first. */
  async acquire(ownerId: string, until: Date): Promise<WaitLease | undefined> {
    const key = { pk: ownerPartition(ownerId), sk: WAIT_SLOTS_SORT_KEY };
    for (let attempt = 0; attempt < this.maxOpenWaits; attempt++) {
      const nowMs = this.clock.now().getTime();
      const { Item = {} } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      const slot = Array.from({ length: this.maxOpenWaits }, (_, index) => index).find((index) => !(Number(Item[`s${index}`]) >= nowMs));
      if (slot === undefined) return undefined;
      const holder = randomUUID();
      const taken = await unlessConditionFailed(
        this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #until = :until, #holder = :holder, #expiresAt = :expiresAt',
            ConditionExpression: 'attribute_not_exists(#until) OR #until < :now',
            ExpressionAttributeNames: { '#until': `s${slot}`, '#holder': `h${slot}`, '#expiresAt': ENTRY_TABLE.ttlAttribute },
            ExpressionAttributeValues: {
              ':until': until.getTime(),
              ':holder': holder,
              ':now': nowMs,
              ':expiresAt': Math.ceil(until.getTime() / 1000) + SLOTS_ITEM_TTL_SECONDS,
            },
          }),
        ),
      );
      if (!taken) continue;
      return { release: () => this.release(key, slot, holder) };
    }
    return undefined;
  }

  /** Frees the slot if this lease still holds it (it may have expired and been taken by another wait). */
  private async release(key: { pk: string; sk: string }, slot: number, holder: string): Promise<void> {
    await ignoringFailedCondition(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'REMOVE #until, #holder',
          ConditionExpression: '#holder = :holder',
          ExpressionAttributeNames: { '#until': `s${slot}`, '#holder': `h${slot}` },
          ExpressionAttributeValues: { ':holder': holder },
        }),
      ),
    );
  }
}
