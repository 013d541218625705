import { ENTRY_TABLE } from '../../lambdas/contract/index.js';
import { TAGS_TABLE } from '../../lambdas/devlog-api/adapters/tags-table.js';
import { ENTRY_INDEX_PROJECTED_ATTRIBUTES } from '../../lib/shared/resource-settings.js';
import { entryTableIndexes } from '../emulators/dynamodb.js';
import type { BilledTable } from './dynamodb-units.js';

/** The entries table as its writes bill: its keys and its sparse indexes with what they project. */
export const ENTRIES_BILLED_TABLE: BilledTable = {
  ...ENTRY_TABLE,
  indexes: entryTableIndexes().map((index) => ({ ...index, projectedAttributes: ENTRY_INDEX_PROJECTED_ATTRIBUTES })),
};

/** The tags table as its writes bill: its keys and its index by count (a total's rank moves with its count). */
export const TAGS_BILLED_TABLE: BilledTable = {
  ...TAGS_TABLE,
  indexes: TAGS_TABLE.indexes.map((index) => ({ ...index, projectedAttributes: index.nonKeyAttributes })),
};
