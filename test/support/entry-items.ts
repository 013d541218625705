import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { entryKey } from '../../lambdas/contract/index.js';

/** An entry item's attributes as a test writes them; the table keys are derived from `ownerId` and `id`. */
export type EntryItemFields = { ownerId: string; id: string } & Record<string, unknown>;

/** Writes an entry item with its table keys straight into the entries table: a test's arrangement, past the API. */
export async function putEntryItem(documents: DynamoDBDocumentClient, tableName: string, fields: EntryItemFields): Promise<void> {
  await documents.send(new PutCommand({ TableName: tableName, Item: { ...entryKey(fields.ownerId, fields.id), ...fields } }));
}
