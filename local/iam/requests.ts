import { TAGS_TABLE } from '../../lambdas/devlog-api/adapters/tags-table.js';
import { ENTRY_TABLE } from '../../lambdas/contract/index.js';
import { entryTableIndexes } from '../emulators/dynamodb.js';
import type { AuthorizationRequest } from './policy.js';

/** The fields of a DynamoDB request (wire format or document client input) that name attributes. */
export interface DynamoDbRequestInput {
  TableName?: string;
  IndexName?: string;
  Key?: Record<string, unknown>;
  Item?: Record<string, unknown>;
  UpdateExpression?: string;
  ConditionExpression?: string;
  KeyConditionExpression?: string;
  ProjectionExpression?: string;
  FilterExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  AttributesToGet?: string[];
  ReturnValues?: string;
  Select?: string;
}

/** Single-table operations; batch and transaction calls carry several requests and need more code here. */
const SINGLE_TABLE_OPERATIONS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan']);

/** Words of the expression grammar that are not attribute names. */
const EXPRESSION_WORDS = new Set(
  [
    'SET',
    'REMOVE',
    'ADD',
    'DELETE',
    'AND',
    'OR',
    'NOT',
    'BETWEEN',
    'IN',
    'attribute_exists',
    'attribute_not_exists',
    'attribute_type',
    'begins_with',
    'contains',
    'size',
    'if_not_exists',
    'list_append',
  ].map((word) => word.toLowerCase()),
);

/**
 * A DynamoDB call as IAM sees it: `dynamodb:<Operation>` on the table or index ARN, with
 * `dynamodb:Attributes` listing every top-level attribute the request names (key, item,
 * update, condition, key condition, projection and filter), including the key attributes of
 * the table and of the queried index, as fine-grained access control requires.
 */
export function dynamoDbAuthorizationRequest(
  operation: string,
  input: DynamoDbRequestInput,
  tableArnOf: (tableName: string) => string,
): AuthorizationRequest {
  if (!SINGLE_TABLE_OPERATIONS.has(operation)) {
    throw new Error(`DynamoDB ${operation} is not supported by local/iam/requests.ts: extend it`);
  }
  if (!input.TableName) throw new Error(`DynamoDB ${operation} without a TableName`);
  const tableArn = tableArnOf(input.TableName);
  const names = input.ExpressionAttributeNames ?? {};
  const attributes = new Set<string>([
    ENTRY_TABLE.partitionKey,
    ENTRY_TABLE.sortKey,
    ...indexKeys(input.IndexName),
    ...Object.keys(input.Key ?? {}),
    ...Object.keys(input.Item ?? {}),
    ...(input.AttributesToGet ?? []),
  ]);
  for (const expression of [
    input.UpdateExpression,
    input.ConditionExpression,
    input.KeyConditionExpression,
    input.ProjectionExpression,
    input.FilterExpression,
  ]) {
    for (const name of attributeNamesIn(expression ?? '', names)) attributes.add(name);
  }
  return {
    action: `dynamodb:${operation}`,
    resource: input.IndexName ? `${tableArn}/index/${input.IndexName}` : tableArn,
    context: {
      'dynamodb:Attributes': [...attributes].sort(),
      ...(input.ReturnValues ? { 'dynamodb:ReturnValues': input.ReturnValues } : {}),
      ...(input.Select ? { 'dynamodb:Select': input.Select } : {}),
    },
  };
}

/** An SQS call as IAM sees it: `sqs:<Operation>` on the queue's ARN. */
export function sqsAuthorizationRequest(operation: string, queueArn: string): AuthorizationRequest {
  // IAM has no batch actions for SQS: SendMessageBatch, DeleteMessageBatch and
  // ChangeMessageVisibilityBatch are authorized as their single-message action.
  return { action: `sqs:${operation.replace(/Batch$/, '')}`, resource: queueArn, context: {} };
}

/** The top-level attribute of every document path in an expression (`tags[0].value` names `tags`). */
export function attributeNamesIn(expression: string, names: Record<string, string>): string[] {
  const found: string[] = [];
  const path = /(:?#?[A-Za-z_][A-Za-z0-9_]*)(?:\.#?[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*/g;
  for (const [, head = ''] of expression.matchAll(path)) {
    if (head.startsWith(':')) continue;
    if (head.startsWith('#')) {
      const name = names[head];
      if (name === undefined) throw new Error(`expression names ${head} without an ExpressionAttributeNames entry`);
      found.push(name);
    } else if (!EXPRESSION_WORDS.has(head.toLowerCase())) {
      found.push(head);
    }
  }
  return found;
}

function indexKeys(indexName: string | undefined): string[] {
  if (indexName === undefined) return [];
  const index = [...entryTableIndexes(), ...TAGS_TABLE.indexes].find((candidate) => candidate.name === indexName);
  if (!index) throw new Error(`index ${indexName} is neither in the contract's ENTRY_TABLE nor in TAGS_TABLE`);
  return [index.partitionKey, index.sortKey];
}
