import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ENTRY_EVENT_FIXTURES } from '../../../lambdas/contract/fixtures/index.js';
import { ENTRY_EVENT_DETAIL_TYPES, ENTRY_EVENT_SCHEMAS, ENTRY_EVENT_SOURCE, validEntryEvent } from '../../../lambdas/contract/index.js';
import {
  currentEventJsonSchema,
  definedEventSchemas,
  eventIncompatibilities,
  eventSchemaFileName,
  readPublishedEventSchemas,
} from '../../../tools/shared/contract-gate/event-schemas.js';
import { PUBLISHED_SCHEMAS_DIR, schemaFileText } from '../../../tools/shared/contract-gate/published-schemas.js';

const published = await readPublishedEventSchemas();
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const keys = definedEventSchemas().map((key) => [`${key.detailType} v${key.version}`, key] as const);

describe('contract gate: the published JSON Schema of every event detail', () => {
  it('has a committed schema for each detail-type and version the contract defines', () => {
    expect([...published.keys()].sort()).toEqual(definedEventSchemas().map(eventSchemaFileName).sort());
    expect(Object.keys(ENTRY_EVENT_SCHEMAS)).toEqual([...ENTRY_EVENT_DETAIL_TYPES]);
  });

  it.each(keys)('%s: the committed file is what the zod schema generates (else npm run contract:schemas)', async (_name, key) => {
    const committed = await readFile(`${PUBLISHED_SCHEMAS_DIR}${eventSchemaFileName(key)}`, 'utf8');
    expect(committed).toBe(schemaFileText(currentEventJsonSchema(key)));
  });

  it.each(keys)("%s: the consumers' fixture is an EventBridge envelope whose detail satisfies the committed schema", (_name, key) => {
    const fixture = (ENTRY_EVENT_FIXTURES[key.detailType] as Record<number, { source: string; 'detail-type': string; detail: unknown }>)[
      key.version
    ];
    const validate = ajv.compile(published.get(eventSchemaFileName(key)) ?? false);
    expect(fixture?.source).toBe(ENTRY_EVENT_SOURCE);
    expect(fixture?.['detail-type']).toBe(key.detailType);
    expect(validate(fixture?.detail), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('validEntryEvent', () => {
  it('refuses an EntryTagged detail without the text consumers build their prompts from', () => {
    const { text: _text, ...withoutText } = ENTRY_EVENT_FIXTURES.EntryTagged[1].detail;
    expect(() => validEntryEvent({ detailType: 'EntryTagged', detail: withoutText as never })).toThrow();
  });

  it('keeps a valid detail as it is', () => {
    const { detail } = ENTRY_EVENT_FIXTURES.EntryDeleted[1];
    expect(validEntryEvent({ detailType: 'EntryDeleted', detail: detail as never }).detail).toEqual(detail);
  });
});

describe('eventIncompatibilities', () => {
  const v1 = z.object({ version: z.literal(1), entryId: z.string(), tags: z.array(z.string()), note: z.optional(z.string()) });
  const schema = (zod: z.ZodMiniType) => z.toJSONSchema(zod, { io: 'input' }) as Record<string, unknown>;

  it('finds nothing between a schema and itself, or after a new optional field', () => {
    expect(eventIncompatibilities(schema(v1), schema(v1))).toEqual([]);
    expect(eventIncompatibilities(schema(v1), schema(z.object({ ...v1.shape, traceId: z.optional(z.string()) })))).toEqual([]);
  });

  it.each([
    ['a removed field', z.object({ version: z.literal(1), entryId: z.string(), note: z.optional(z.string()) }), 'removed field "tags"'],
    ['a widened field', z.object({ ...v1.shape, entryId: z.nullable(z.string()) }), 'field "entryId" changed'],
    ['a narrowed field', z.object({ ...v1.shape, tags: z.array(z.string()).check(z.maxLength(3)) }), 'field "tags" changed'],
    ['a field no longer required', z.object({ ...v1.shape, entryId: z.optional(z.string()) }), 'field "entryId" is no longer required'],
    ['a new required field', z.object({ ...v1.shape, revision: z.number() }), 'new required field "revision"'],
    ['unknown fields refused', z.strictObject(v1.shape), 'unknown fields are now rejected'],
  ])('reports %s', (_name, current, problem) => {
    expect(eventIncompatibilities(schema(v1), schema(current))).toContain(problem);
  });
});
