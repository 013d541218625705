import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ENTRY_TABLE } from '../../../../lambdas/contract/index.js';
import { DynamoDbEntryTagStore } from '../../../../lambdas/tag-extraction/adapters/dynamodb-entry-tag-store.js';
import { conditionFailed } from '../../support/dynamodb-errors.js';

const TABLE = 'entries-test';
const ENTRY_ID = '01JDQ8Z6X4M1V9T3K7N2P5R8WA';
const KEY = { pk: 'OWNER#user-a', sk: `ENTRY#${ENTRY_ID}` };
const AT = new Date('2026-11-23T10:00:07.000Z');
const TARGET = { ownerId: 'user-a', entryId: ENTRY_ID, revision: 1 };

const ddb = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbEntryTagStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1' })), TABLE);

/** Attribute names an update expression writes or removes (placeholders resolved). */
function attributesChangedBy(input: { UpdateExpression?: string; ExpressionAttributeNames?: Record<string, string> }): string[] {
  const names = input.ExpressionAttributeNames ?? {};
  const [, set = '', remove = ''] = /^SET (.*?)(?: REMOVE (.*))?$/.exec(input.UpdateExpression ?? '') ?? [];
  const targets = [...set.split(',').map((part) => part.split('=')[0]!), ...remove.split(',')];
  return targets
    .map((target) => target.trim())
    .filter(Boolean)
    .map((target) => names[target] ?? target);
}

beforeEach(() => {
  ddb.reset();
});

describe('DynamoDbEntryTagStore', () => {
  describe('get', () => {
    it('reads only what the extraction needs, strongly consistent', async () => {
      // Arrange
      ddb.on(GetCommand).resolves({ Item: { entry: 'Used Django', status: 'pending' } });

      // Act
      const snapshot = await store.get('user-a', ENTRY_ID);

      // Assert
      expect(snapshot).toEqual({ entry: 'Used Django', status: 'pending' });
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(GetCommand, {
        TableName: TABLE,
        Key: KEY,
        ConsistentRead: true,
        ProjectionExpression: '#a0, #a1, #a2, #a3',
        ExpressionAttributeNames: { '#a0': 'entry', '#a1': 'status', '#a2': 'promptVersion', '#a3': 'revision' },
      });
    });

    it('returns undefined for a missing entry', async () => {
      // Arrange
      ddb.on(GetCommand).resolves({});

      // Act + Assert
      expect(await store.get('user-a', ENTRY_ID)).toBeUndefined();
    });
  });

  describe('saveTags', () => {
    it('writes typed tags, provenance and done, and leaves the pending and failed indexes, only over a pending or older entry', async () => {
      // Arrange
      ddb.on(UpdateCommand).resolves({});

      // Act
      const saved = await store.saveTags(
        TARGET,
        { tags: ['Django', 'Elasticsearch'], model: 'gpt-4o-mini', promptVersion: 2, extractorVersion: '1.1.0' },
        AT,
      );

      // Assert
      expect(saved).toBe(true);
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
        TableName: TABLE,
        Key: KEY,
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(revision) OR revision = :revision) AND (#status = :pending OR (#status = :done AND (attribute_not_exists(promptVersion) OR promptVersion < :promptVersion)))',
        ExpressionAttributeValues: {
          ':done': 'done',
          ':pending': 'pending',
          ':tags': [
            { type: 'tech-stack', value: 'Django' },
            { type: 'tech-stack', value: 'Elasticsearch' },
          ],
          ':model': 'gpt-4o-mini',
          ':promptVersion': 2,
          ':extractorVersion': '1.1.0',
          ':revision': 1,
          ':at': '2026-11-23T10:00:07.000Z',
        },
      });
      const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(attributesChangedBy(input).sort()).toEqual([
        'error',
        'extractorVersion',
        'failedBucket',
        'model',
        'pendingBucket',
        'promptVersion',
        'status',
        'tags',
        'updatedAt',
      ]);
    });

    it('writes a job of revision 3 only over revision 3', async () => {
      // Arrange
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store.saveTags({ ...TARGET, revision: 3 }, { tags: [], model: 'm', promptVersion: 1, extractorVersion: '1.1.0' }, AT);

      // Assert
      const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(input.ConditionExpression).toMatch(/^attribute_exists\(pk\) AND revision = :revision AND /);
      expect(input.ExpressionAttributeValues?.[':revision']).toBe(3);
    });

    it('reports a lost race when the condition fails', async () => {
      // Arrange
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const saved = await store.saveTags(TARGET, { tags: [], model: 'gpt-4o-mini', promptVersion: 1, extractorVersion: '1.1.0' }, AT);

      // Assert
      expect(saved).toBe(false);
    });

    it('passes other errors on, so the message is retried', async () => {
      // Arrange
      ddb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceededException'));

      // Act
      const attempt = store.saveTags(TARGET, { tags: [], model: 'gpt-4o-mini', promptVersion: 1, extractorVersion: '1.1.0' }, AT);

      // Assert
      await expect(attempt).rejects.toThrow('ProvisionedThroughputExceededException');
    });
  });

  describe('markFailed', () => {
    it('marks a pending entry failed with its reason code and moves it to the failed index', async () => {
      // Arrange
      ddb.on(UpdateCommand).resolves({});

      // Act
      const marked = await store.markFailed(TARGET, 'model-unreachable', AT);

      // Assert
      expect(marked).toBe(true);
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
        TableName: TABLE,
        Key: KEY,
        ConditionExpression: '#status = :pending AND (attribute_not_exists(revision) OR revision = :revision)',
        ExpressionAttributeValues: {
          ':failed': 'failed',
          ':pending': 'pending',
          ':reason': 'model-unreachable',
          ':failedBucket': 'failed',
          ':revision': 1,
          ':at': '2026-11-23T10:00:07.000Z',
        },
      });
      const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(attributesChangedBy(input).sort()).toEqual(['error', 'failedBucket', 'pendingBucket', 'status', 'updatedAt']);
    });

    it('does nothing to an entry another delivery finished, or that was edited or deleted, and says so', async () => {
      // Arrange
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const attempt = store.markFailed(TARGET, 'model-unavailable', AT);

      // Assert
      await expect(attempt).resolves.toBe(false);
    });

    it('conditions on the exact revision of a job for an edited entry', async () => {
      // Arrange
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store.markFailed({ ...TARGET, revision: 3 }, 'model-unavailable', AT);

      // Assert
      const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
      expect(input.ConditionExpression).toBe('#status = :pending AND revision = :revision');
      expect(input.ExpressionAttributeValues?.[':revision']).toBe(3);
    });

    it('passes other errors on', async () => {
      // Arrange
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act + Assert
      await expect(store.markFailed(TARGET, 'model-unavailable', AT)).rejects.toThrow('InternalServerError');
    });
  });

  describe('postponeReconcile', () => {
    it("moves a pending entry's enqueuedAt forward to when its job is due, never back", async () => {
      // Arrange
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store.postponeReconcile(TARGET, new Date('2026-11-23T12:00:07.000Z'));

      // Assert
      expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
        TableName: TABLE,
        Key: KEY,
        UpdateExpression: 'SET enqueuedAt = :dueAt',
        ConditionExpression: '#status = :pending AND (attribute_not_exists(revision) OR revision = :revision) AND enqueuedAt < :dueAt',
        ExpressionAttributeValues: { ':pending': 'pending', ':revision': 1, ':dueAt': '2026-11-23T12:00:07.000Z' },
      });
    });

    it("does nothing to an entry that is no longer pending at the job's revision or already due later", async () => {
      // Arrange
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act + Assert
      await expect(store.postponeReconcile(TARGET, AT)).resolves.toBeUndefined();
    });

    it('passes other errors on', async () => {
      // Arrange
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act + Assert
      await expect(store.postponeReconcile(TARGET, AT)).rejects.toThrow('InternalServerError');
    });
  });

  it('only ever changes the attributes the extraction role may change', async () => {
    // Arrange
    ddb.on(UpdateCommand).resolves({});

    // Act
    await store.saveTags(TARGET, { tags: ['Go'], model: 'm', promptVersion: 1, extractorVersion: '1.1.0' }, AT);
    await store.markFailed(TARGET, 'extraction-failed', AT);
    await store.postponeReconcile(TARGET, AT);

    // Assert
    const changed = ddb.commandCalls(UpdateCommand).flatMap((call) => attributesChangedBy(call.args[0].input));
    for (const attribute of changed) expect(ENTRY_TABLE.extractionAttributes).toContain(attribute);
  });
});
