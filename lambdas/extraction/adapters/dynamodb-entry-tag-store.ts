import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { entryKey, FAILED_BUCKET } from '../../contract/index.js';
import type { EntrySnapshot, EntryTagStore, ExtractionResult } from '../domain/ports.js';

/**
 * The extraction's view of the entries table: one read and two conditional updates that touch
 * only the attributes its IAM policy allows (ENTRY_TABLE.extractionAttributes).
 */
export class DynamoDbEntryTagStore implements EntryTagStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Reads what the extraction needs, strongly consistent so a fresh `done` is seen. */
  async get(ownerId: string, entryId: string): Promise<EntrySnapshot | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: entryKey(ownerId, entryId),
        ConsistentRead: true,
        ProjectionExpression: '#entry, #status, promptVersion',
        ExpressionAttributeNames: { '#entry': 'entry', '#status': 'status' },
      }),
    );
    return Item as EntrySnapshot | undefined;
  }

  /** Writes tags and `done` only over a pending entry or one tagged by an older prompt. */
  async saveTags(ownerId: string, entryId: string, result: ExtractionResult, at: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: entryKey(ownerId, entryId),
          UpdateExpression:
            'SET #status = :done, tags = :tags, model = :model, promptVersion = :promptVersion, extractorVersion = :extractorVersion, updatedAt = :at REMOVE pendingBucket, failedBucket, #error',
          ConditionExpression:
            'attribute_exists(pk) AND (#status = :pending OR (#status = :done AND (attribute_not_exists(promptVersion) OR promptVersion < :promptVersion)))',
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: {
            ':done': 'done',
            ':pending': 'pending',
            ':tags': result.tags.map((value) => ({ type: 'tech-stack', value })),
            ':model': result.model,
            ':promptVersion': result.promptVersion,
            ':extractorVersion': result.extractorVersion,
            ':at': at.toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Marks a still-pending entry `failed` (visible to the redrive's index); a no-op if another delivery finished it. */
  async markFailed(ownerId: string, entryId: string, reason: string, at: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: entryKey(ownerId, entryId),
          UpdateExpression:
            'SET #status = :failed, #error = :reason, updatedAt = :at, failedBucket = :failedBucket REMOVE pendingBucket',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':pending': 'pending',
            ':reason': reason.slice(0, 300),
            ':failedBucket': FAILED_BUCKET,
            ':at': at.toISOString(),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
