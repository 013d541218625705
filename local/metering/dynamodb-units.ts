import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** An item in DynamoDB's wire format. */
export type WireItem = Record<string, AttributeValue>;

/** A global secondary index as it bills: its keys and the non-key attributes it projects. */
export interface BilledIndex {
  partitionKey: string;
  sortKey: string;
  projectedAttributes: readonly string[];
}

/** A table's keys and indexes, as its writes bill. */
export interface BilledTable {
  partitionKey: string;
  sortKey: string;
  indexes: readonly BilledIndex[];
}

/**
 * An item's size as DynamoDB bills it (developer guide, "Item sizes and formats"): each
 * attribute's name and value in UTF-8 bytes; a number about one byte per two significant
 * digits plus one; booleans and nulls one byte; lists and maps 3 bytes plus 1 per element
 * (maps also their keys). Hand-written: no maintained package computes it.
 */
export function itemBytes(item: WireItem | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) {
    const bytes = value.B as Uint8Array | string;
    return typeof bytes === 'string' ? Buffer.from(bytes, 'base64').length : bytes.length;
  }
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, element) => sum + Buffer.byteLength(element), 0);
  if (value.NS) return value.NS.reduce((sum, element) => sum + numberBytes(element), 0);
  if (value.L) return 3 + value.L.reduce((sum, element) => sum + 1 + valueBytes(element), 0);
  if (value.M)
    return 3 + Object.entries(value.M).reduce((sum, [key, element]) => sum + 1 + Buffer.byteLength(key) + valueBytes(element), 0);
  return 0;
}

function numberBytes(value: string): number {
  const digits = value.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Write request units of writing `bytes`: one per started KB, at least one. */
function unitsOfWrite(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

/**
 * The write request units of one write (PutItem, UpdateItem, DeleteItem) from the item before and
 * after it, as DynamoDB bills them: the larger of the two images in KB, plus each index's writes:
 * an entry put where the item enters the index or changes a projected attribute, a delete where
 * it leaves, both where its index keys change. A write whose condition failed bills the item's
 * size, and touches no index.
 */
export function writeUnitsOf(
  table: BilledTable,
  before: WireItem | undefined,
  after: WireItem | undefined,
  conditionFailed = false,
): number {
  const tableUnits = unitsOfWrite(Math.max(itemBytes(before), conditionFailed ? 0 : itemBytes(after)));
  if (conditionFailed) return tableUnits;
  return tableUnits + indexWriteUnitsOf(table, before, after);
}

/** The write units a write costs in the table's indexes alone, from the item before and after it (see writeUnitsOf). */
export function indexWriteUnitsOf(table: BilledTable, before: WireItem | undefined, after: WireItem | undefined): number {
  return table.indexes.reduce((sum, index) => sum + indexWriteUnits(table, index, before, after), 0);
}

function indexWriteUnits(table: BilledTable, index: BilledIndex, before: WireItem | undefined, after: WireItem | undefined): number {
  const oldEntry = indexEntry(table, index, before);
  const newEntry = indexEntry(table, index, after);
  if (!oldEntry && !newEntry) return 0;
  if (!oldEntry) return unitsOfWrite(itemBytes(newEntry));
  if (!newEntry) return unitsOfWrite(itemBytes(oldEntry));
  const keysOf = (entry: WireItem) => JSON.stringify([entry[index.partitionKey], entry[index.sortKey]]);
  if (keysOf(oldEntry) !== keysOf(newEntry)) return unitsOfWrite(itemBytes(oldEntry)) + unitsOfWrite(itemBytes(newEntry));
  return JSON.stringify(oldEntry) === JSON.stringify(newEntry) ? 0 : unitsOfWrite(itemBytes(newEntry));
}

/** The item's entry in a sparse index (undefined when it lacks an index key): keys and projected attributes. */
function indexEntry(table: BilledTable, index: BilledIndex, item: WireItem | undefined): WireItem | undefined {
  if (!item || item[index.partitionKey] === undefined || item[index.sortKey] === undefined) return undefined;
  const names = [table.partitionKey, table.sortKey, index.partitionKey, index.sortKey, ...index.projectedAttributes];
  return Object.fromEntries(names.flatMap((name) => (item[name] === undefined ? [] : [[name, item[name]]])));
}
