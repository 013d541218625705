import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { JOB_MESSAGE_SCHEMAS, type JobMessageVersion } from '../../../lambdas/contract/index.js';

/** A JSON Schema document, as far as the gate reads it. */
export type JsonSchema = Record<string, unknown>;

/** Where the contract keeps the JSON Schema of every published message version. */
export const PUBLISHED_SCHEMAS_DIR = fileURLToPath(new URL('../../../lambdas/contract/schemas/', import.meta.url));

const FILE_PATTERN = /^job-message\.v(\d+)\.schema\.json$/;

/** The committed file name of a version's JSON Schema. */
export function schemaFileName(version: number): string {
  return `job-message.v${version}.schema.json`;
}

/**
 * The JSON Schema of a message version as the consumer reads it ("input": what it accepts, so
 * unknown fields are allowed, since the consumer strips them).
 */
export function currentJsonSchema(version: JobMessageVersion): JsonSchema {
  return z.toJSONSchema(JOB_MESSAGE_SCHEMAS[version], { io: 'input' }) as JsonSchema;
}

/** The committed schema file's text for a version: stable formatting, so a diff shows only real changes. */
export function schemaFileText(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** Every published version with its committed JSON Schema, oldest first. */
export async function readPublishedSchemas(dir = PUBLISHED_SCHEMAS_DIR): Promise<Map<number, JsonSchema>> {
  const files = (await readdir(dir)).flatMap((name) => {
    const match = FILE_PATTERN.exec(name);
    return match ? [{ name, version: Number(match[1]) }] : [];
  });
  files.sort((a, b) => a.version - b.version);
  const schemas = new Map<number, JsonSchema>();
  for (const { name, version } of files) {
    schemas.set(version, JSON.parse(await readFile(`${dir}${name}`, 'utf8')) as JsonSchema);
  }
  return schemas;
}

/** Writes the current JSON Schema of a version to its committed file. */
export async function writePublishedSchema(version: JobMessageVersion, dir = PUBLISHED_SCHEMAS_DIR): Promise<void> {
  await writeFile(`${dir}${schemaFileName(version)}`, schemaFileText(currentJsonSchema(version)));
}
