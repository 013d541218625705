import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BACKFILL_LEDGER_TABLE, type BackfillBatch, type BatchLedger } from '../backfill/batch-ledger.js';

/** The one partition of the ledger. */
const PARTITION = 'BATCH';

/** The backfill ledger in its DynamoDB table: a put per batch, a query of its one partition, updates of progress. */
export class DynamoDbBatchLedger implements BatchLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Puts the batch's item (a batch id is unique, so a put never overwrites another's). */
  async record(batch: BackfillBatch): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { [BACKFILL_LEDGER_TABLE.partitionKey]: PARTITION, [BACKFILL_LEDGER_TABLE.sortKey]: batch.batchId, ...batch },
      }),
    );
  }

  /** Batches still `submitted`. */
  async open(): Promise<BackfillBatch[]> {
    return (await this.all()).filter((batch) => batch.phase === 'submitted');
  }

  /** Every batch, by submission time. */
  async all(): Promise<BackfillBatch[]> {
    const batches: BackfillBatch[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': BACKFILL_LEDGER_TABLE.partitionKey },
          ExpressionAttributeValues: { ':pk': PARTITION },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const { pk: _pk, sk: _sk, ...batch } of page.Items ?? []) batches.push(batch as BackfillBatch);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return batches.sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
  }

  /** Sets the changed attributes of the batch's item. */
  async update(batchId: string, change: Parameters<BatchLedger['update']>[1]): Promise<void> {
    const entries = Object.entries(change).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [BACKFILL_LEDGER_TABLE.partitionKey]: PARTITION, [BACKFILL_LEDGER_TABLE.sortKey]: batchId },
        UpdateExpression: `SET ${entries.map(([name]) => `#${name} = :${name}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name]) => [`#${name}`, name])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([name, value]) => [`:${name}`, value])),
      }),
    );
  }
}
