import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** A sparse index of the entries table (ENTRY_TABLE.pendingIndex, .failedIndex): an item is in it while it carries the bucket attribute. */
export interface SparseIndex {
  name: string;
  partitionKey: string;
}

/** The query of one page (`limit` items, after `after`) of the entries in `bucket` of a sparse index, in the index's order. */
export function sparseIndexPage(
  tableName: string,
  index: SparseIndex,
  bucket: string,
  limit: number,
  after?: Record<string, unknown>,
): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: index.name,
    KeyConditionExpression: '#bucket = :bucket',
    ExpressionAttributeNames: { '#bucket': index.partitionKey },
    ExpressionAttributeValues: { ':bucket': bucket },
    Limit: limit,
    ...(after ? { ExclusiveStartKey: after } : {}),
  };
}
