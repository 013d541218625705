import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { atRevisionCondition, ENTRY_STATUS, ENTRY_TABLE, entryKey, FAILED_BUCKET, type FailureCode } from '../../contract/index.js';
import type { EntrySnapshot, EntryTagStore, ExtractionResult, JobTarget, TaggedState } from '../domain/ports.js';

const READ_ATTRIBUTES = ENTRY_TABLE.extractionReadAttributes;

/**
 * The extraction's view of the entries table: one read and three conditional updates that touch
 * only the attributes its IAM policy allows (ENTRY_TABLE.extractionAttributes). All three
 * are conditional on the job's revision (ENTRY_TABLE.revisionAttribute), so a job of an older
 * text, or of a deleted entry, never writes.
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
        // Exactly what its IAM policy lets it read (a projection naming more is denied).
        ProjectionExpression: READ_ATTRIBUTES.map((_, index) => `#a${index}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(READ_ATTRIBUTES.map((name, index) => [`#a${index}`, name])),
      }),
    );
    return Item as EntrySnapshot | undefined;
  }

  /**
   * Writes tags and `done` only over the job's revision, pending or tagged by an older prompt;
   * with `builtFrom`, only while the entry is still done in that tag state.
   */
  async saveTags(target: JobTarget, result: ExtractionResult, at: Date, builtFrom?: TaggedState): Promise<boolean> {
    const stillAsBuilt = builtFrom
      ? ` AND #status = :done AND ${builtFrom.promptVersion === undefined ? 'attribute_not_exists(promptVersion)' : 'promptVersion = :builtFromPromptVersion'}`
      : '';
    return this.updateIfStill(target, {
      UpdateExpression:
        'SET #status = :done, tags = :tags, model = :model, promptVersion = :promptVersion, extractorVersion = :extractorVersion, updatedAt = :at REMOVE pendingBucket, failedBucket, #error',
      ConditionExpression: `attribute_exists(pk) AND ${atRevisionCondition(target.revision, ':revision')} AND (#status = :pending OR (#status = :done AND (attribute_not_exists(promptVersion) OR promptVersion < :promptVersion)))${stillAsBuilt}`,
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ':done': ENTRY_STATUS.done,
        ':pending': ENTRY_STATUS.pending,
        ':tags': result.tags.map((value) => ({ type: 'tech-stack', value })),
        ':model': result.model,
        ':promptVersion': result.promptVersion,
        ':extractorVersion': result.extractorVersion,
        ':revision': target.revision,
        ':at': at.toISOString(),
        ...(builtFrom?.promptVersion === undefined ? {} : { ':builtFromPromptVersion': builtFrom.promptVersion }),
      },
    });
  }

  /**
   * Marks the entry `failed` (visible to the redrive's index) if still pending at the job's
   * revision; false, and nothing written, if another delivery finished it, or it was edited or deleted.
   */
  async markFailed(target: JobTarget, reason: FailureCode, at: Date): Promise<boolean> {
    return this.updateIfStill(target, {
      UpdateExpression: 'SET #status = :failed, #error = :reason, updatedAt = :at, failedBucket = :failedBucket REMOVE pendingBucket',
      ConditionExpression: `#status = :pending AND ${atRevisionCondition(target.revision, ':revision')}`,
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ':failed': ENTRY_STATUS.failed,
        ':pending': ENTRY_STATUS.pending,
        ':reason': reason,
        ':failedBucket': FAILED_BUCKET,
        ':revision': target.revision,
        ':at': at.toISOString(),
      },
    });
  }

  /** Moves a still-pending entry's `enqueuedAt` (the reconciler's clock) to when its postponed job is due. */
  async postponeReconcile(target: JobTarget, dueAt: Date): Promise<void> {
    await this.updateIfStill(target, {
      UpdateExpression: 'SET enqueuedAt = :dueAt',
      ConditionExpression: `#status = :pending AND ${atRevisionCondition(target.revision, ':revision')} AND enqueuedAt < :dueAt`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': ENTRY_STATUS.pending, ':revision': target.revision, ':dueAt': dueAt.toISOString() },
    });
  }

  /** Applies a conditional update to the job's entry; false, and nothing written, when its condition no longer holds. */
  private async updateIfStill(target: JobTarget, update: Omit<UpdateCommandInput, 'TableName' | 'Key'>): Promise<boolean> {
    try {
      await this.client.send(new UpdateCommand({ TableName: this.tableName, Key: entryKey(target.ownerId, target.entryId), ...update }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
