import type { BilledFunction } from '../../lib/shared/resource-settings.js';
import type { CallMeter, RelayedAnswer } from '../iam/enforcing-proxy.js';
import { type BilledTable, type WireItem, writeUnitsOf } from './dynamodb-units.js';
import type { UsageMeter } from './usage-meter.js';

const READS = new Set(['GetItem', 'Query', 'Scan']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

interface DynamoDbInput {
  TableName?: string;
  Key?: WireItem;
  Item?: WireItem;
  ReturnConsumedCapacity?: string;
}

/**
 * Meters DynamoDB calls: a read's units as the emulator reports them (ReturnConsumedCapacity is
 * asked for, and left out of the caller's answer when it did not ask), a write's from the item
 * before and after it with its index writes (dynalite counts no index writes and none for a
 * failed condition, which AWS bills).
 */
export function dynamoDbCallMeter(meter: UsageMeter, tables: Record<string, BilledTable>): CallMeter {
  return async (call) => {
    const fn = call.functionName as BilledFunction;
    const input = JSON.parse(call.body.toString('utf8') || '{}') as DynamoDbInput;
    if (READS.has(call.operation)) {
      const asked = input.ReturnConsumedCapacity !== undefined && input.ReturnConsumedCapacity !== 'NONE';
      const answer = await call.relay(asked ? call.body : Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' })));
      const parsed = parseAnswer(answer);
      meter.dynamoDb(fn, call.operation, { read: Number(parsed?.ConsumedCapacity?.CapacityUnits ?? 0) });
      if (asked || !parsed?.ConsumedCapacity) return answer;
      const { ConsumedCapacity: _added, ...rest } = parsed;
      return rewritten(answer, rest);
    }
    const tableName = input.TableName ?? '';
    const table = tables[tableName];
    if (!WRITES.has(call.operation) || !table) {
      meter.dynamoDb(fn, call.operation, {});
      return call.relay(call.body);
    }
    const key = input.Key ?? keyOf(table, input.Item ?? {});
    const before = await readItem(call.relay, tableName, key);
    const answer = await call.relay(call.body);
    const conditionFailed = answer.status === 400 && answer.body.toString('utf8').includes('ConditionalCheckFailed');
    if (answer.status === 200 || conditionFailed) {
      const after = conditionFailed ? before : await readItem(call.relay, tableName, key);
      meter.dynamoDb(fn, call.operation, { write: writeUnitsOf(table, before, after, conditionFailed) });
    } else {
      meter.dynamoDb(fn, call.operation, {});
    }
    return answer;
  };
}

/**
 * Meters SQS calls: each 64 KiB chunk of a request's payload (or of the messages a receive
 * returns) is one billed request; a receive that returns nothing is marked as an idle poll.
 */
export function sqsCallMeter(meter: UsageMeter): CallMeter {
  return async (call) => {
    const answer = await call.relay(call.body);
    const fn = call.functionName as BilledFunction;
    if (call.operation === 'ReceiveMessage') {
      const messages = parseAnswer(answer)?.Messages ?? [];
      meter.sqs(fn, call.operation, Math.max(call.body.length, answer.body.length), messages.length === 0);
    } else {
      meter.sqs(fn, call.operation, call.body.length);
    }
    return answer;
  };
}

async function readItem(
  relay: (body: Buffer, operation?: string) => Promise<RelayedAnswer>,
  tableName: string,
  key: WireItem,
): Promise<WireItem | undefined> {
  const answer = await relay(Buffer.from(JSON.stringify({ TableName: tableName, Key: key, ConsistentRead: true })), 'GetItem');
  return parseAnswer(answer)?.Item;
}

function keyOf(table: BilledTable, item: WireItem): WireItem {
  return Object.fromEntries([table.partitionKey, table.sortKey].flatMap((name) => (item[name] === undefined ? [] : [[name, item[name]]])));
}

/** The parts of an emulator's answer the meters read. */
interface AnswerBody {
  ConsumedCapacity?: { CapacityUnits?: number };
  Item?: WireItem;
  Messages?: unknown[];
  [field: string]: unknown;
}

function parseAnswer(answer: RelayedAnswer): AnswerBody | undefined {
  try {
    return JSON.parse(answer.body.toString('utf8')) as AnswerBody;
  } catch {
    return undefined;
  }
}

/** The answer with another body; its checksum header goes (the SDK checks it only when present). */
function rewritten(answer: RelayedAnswer, body: unknown): RelayedAnswer {
  const text = Buffer.from(JSON.stringify(body));
  const { 'x-amz-crc32': _checksum, ...headers } = answer.headers;
  return { status: answer.status, headers: { ...headers, 'content-length': String(text.length) }, body: text };
}
