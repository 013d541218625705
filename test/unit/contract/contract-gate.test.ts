import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import * as zod from 'zod';
import * as z from 'zod/mini';
import { JOB_MESSAGE_FIXTURES } from '../../../lambdas/contract/fixtures/index.js';
import { ACCEPTED_JOB_MESSAGE_VERSIONS, JOB_MESSAGE_SCHEMAS } from '../../../lambdas/contract/index.js';
import { incompatibilities } from '../../../tools/shared/contract-gate/compatibility.js';
import {
  currentJsonSchema,
  PUBLISHED_SCHEMAS_DIR,
  readPublishedSchemas,
  schemaFileName,
  schemaFileText,
} from '../../../tools/shared/contract-gate/published-schemas.js';

const published = await readPublishedSchemas();

describe('contract gate: the published JSON Schema of every message version', () => {
  it('covers exactly the versions the consumer accepts: a consumer never stops accepting a version it published', () => {
    expect([...published.keys()]).toEqual([...ACCEPTED_JOB_MESSAGE_VERSIONS]);
    expect(Object.keys(JOB_MESSAGE_SCHEMAS).map(Number)).toEqual([...published.keys()]);
  });

  it.each(ACCEPTED_JOB_MESSAGE_VERSIONS)(
    'v%i: the current zod schema is backward compatible with the published one (else bump the version)',
    (version) => {
      expect(incompatibilities(published.get(version) ?? {}, currentJsonSchema(version))).toEqual([]);
    },
  );

  it.each(ACCEPTED_JOB_MESSAGE_VERSIONS)(
    'v%i: the committed file is what the zod schema generates (else npm run contract:schemas)',
    async (version) => {
      const committed = await readFile(`${PUBLISHED_SCHEMAS_DIR}${schemaFileName(version)}`, 'utf8');
      expect(committed).toBe(schemaFileText(currentJsonSchema(version)));
    },
  );

  it.each(ACCEPTED_JOB_MESSAGE_VERSIONS)('v%i: the fixture satisfies the published schema as an old consumer reads it', (version) => {
    const oldConsumer = zod.fromJSONSchema(published.get(version) ?? false);
    expect(oldConsumer.safeParse(JOB_MESSAGE_FIXTURES[version]).success).toBe(true);
  });
});

describe('incompatibilities', () => {
  const v1 = z.object({ version: z.literal(1), ownerId: z.string().check(z.maxLength(256)), count: z.number() });
  const schema = (zod: z.ZodMiniType) => z.toJSONSchema(zod, { io: 'input' }) as Record<string, unknown>;

  it('finds nothing between a schema and itself, a new optional field or a widened bound', () => {
    const widened = z.object({
      version: z.literal(1),
      ownerId: z.string().check(z.maxLength(1024)),
      count: z.number(),
      traceId: z.optional(z.string()),
    });
    expect(incompatibilities(schema(v1), schema(v1))).toEqual([]);
    expect(incompatibilities(schema(v1), schema(widened))).toEqual([]);
  });

  it('reports a new required field', () => {
    const current = z.object({ ...v1.shape, revision: z.number() });
    expect(incompatibilities(schema(v1), schema(current))).toEqual(['new required field "revision"']);
  });

  it('reports a removed field', () => {
    const current = z.object({ version: z.literal(1), ownerId: z.string().check(z.maxLength(256)) });
    expect(incompatibilities(schema(v1), schema(current))).toEqual(['removed field "count"']);
  });

  it.each([
    ['a number that became an integer', { count: z.number().check(z.int()) }, 'field "count": type number no longer accepted'],
    ['a number that became a string', { count: z.string() }, 'field "count": type number no longer accepted'],
    ['a lowered maximum length', { ownerId: z.string().check(z.maxLength(64)) }, 'field "ownerId": maxLength lowered to 64'],
    ['a new minimum', { count: z.number().check(z.minimum(1)) }, 'field "count": minimum raised to 1'],
    ['a new pattern', { ownerId: z.string().check(z.maxLength(256), z.regex(/^u-/)) }, 'field "ownerId": pattern changed'],
    ['another literal', { version: z.literal(2) }, 'field "version": const changed to 2'],
  ])('reports %s as a narrowed type', (_name, change, problem) => {
    const current = z.object({ ...v1.shape, ...change });
    expect(incompatibilities(schema(v1), schema(current))).toContainEqual(expect.stringContaining(problem));
  });

  it('reports that unknown fields are now rejected', () => {
    expect(incompatibilities(schema(v1), schema(z.strictObject(v1.shape)))).toEqual(['unknown fields are now rejected']);
  });
});
