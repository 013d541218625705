import { readdir, readFile, writeFile } from 'node:fs/promises';
import * as z from 'zod/mini';
import { ENTRY_EVENT_SCHEMAS, type EntryEventDetailType } from '../../../lambdas/contract/index.js';
import { type JsonSchema, PUBLISHED_SCHEMAS_DIR, schemaFileText } from './published-schemas.js';

/*
 * The events' side of the contract gate. The job message is read by one consumer we know, so
 * its gate asks whether that consumer still accepts every published message. An event's
 * consumers are unknown, and they rely on what a published version promised: so a published
 * field never changes or stops being required, and a new field is optional.
 */

/** A published event schema: which detail-type and version. */
export interface EventSchemaKey {
  detailType: EntryEventDetailType;
  version: number;
}

/** Every detail-type and version the contract defines. */
export function definedEventSchemas(): EventSchemaKey[] {
  return Object.entries(ENTRY_EVENT_SCHEMAS).flatMap(([detailType, versions]) =>
    Object.keys(versions).map((version) => ({ detailType: detailType as EntryEventDetailType, version: Number(version) })),
  );
}

/** The committed file name of an event detail's JSON Schema (`entry-tagged.v1.schema.json`). */
export function eventSchemaFileName({ detailType, version }: EventSchemaKey): string {
  return `${detailType.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase()}.v${version}.schema.json`;
}

/** The JSON Schema of an event detail as consumers read it: the fields it has at least (unknown fields allowed). */
export function currentEventJsonSchema({ detailType, version }: EventSchemaKey): JsonSchema {
  const schema = (ENTRY_EVENT_SCHEMAS[detailType] as Record<number, z.ZodMiniType>)[version];
  if (!schema) throw new Error(`no ${detailType} v${version} in the contract`);
  return z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
}

/** The committed JSON Schema of every event detail that has one, by file name. */
export async function readPublishedEventSchemas(dir = PUBLISHED_SCHEMAS_DIR): Promise<Map<string, JsonSchema>> {
  const names = new Set(await readdir(dir));
  const schemas = new Map<string, JsonSchema>();
  for (const key of definedEventSchemas()) {
    const name = eventSchemaFileName(key);
    if (names.has(name)) schemas.set(name, JSON.parse(await readFile(`${dir}${name}`, 'utf8')) as JsonSchema);
  }
  return schemas;
}

/** Writes the current JSON Schema of an event detail to its committed file. */
export async function writePublishedEventSchema(key: EventSchemaKey, dir = PUBLISHED_SCHEMAS_DIR): Promise<void> {
  await writeFile(`${dir}${eventSchemaFileName(key)}`, schemaFileText(currentEventJsonSchema(key)));
}

/**
 * How the current schema of a published event version breaks its promise to consumers: a
 * published field removed, changed or no longer required, a new required field, or unknown
 * fields now refused. Empty when the change only adds optional fields.
 */
export function eventIncompatibilities(published: JsonSchema, current: JsonSchema): string[] {
  const problems: string[] = [];
  const fields = (schema: JsonSchema) => (schema.properties ?? {}) as Record<string, unknown>;
  const required = (schema: JsonSchema) => new Set((schema.required ?? []) as string[]);
  const [publishedFields, currentFields] = [fields(published), fields(current)];
  const [publishedRequired, currentRequired] = [required(published), required(current)];
  for (const [field, schema] of Object.entries(publishedFields)) {
    if (!(field in currentFields)) problems.push(`removed field "${field}"`);
    else if (JSON.stringify(currentFields[field]) !== JSON.stringify(schema)) problems.push(`field "${field}" changed`);
    if (publishedRequired.has(field) && !currentRequired.has(field)) problems.push(`field "${field}" is no longer required`);
  }
  for (const field of currentRequired) {
    if (!publishedRequired.has(field) && !(field in publishedFields)) problems.push(`new required field "${field}"`);
  }
  if (current.additionalProperties === false && published.additionalProperties !== false) problems.push('unknown fields are now rejected');
  return problems;
}
