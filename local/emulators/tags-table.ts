import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { TAGS_TABLE } from '../../lambdas/api/adapters/tags-table.js';

/** Creates the tags table (the aggregator's) with the stack's key schema unless it exists. */
export async function ensureTagsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: TAGS_TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: TAGS_TABLE.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: TAGS_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TAGS_TABLE.sortKey, KeyType: 'RANGE' },
      ],
    }),
  );
}
