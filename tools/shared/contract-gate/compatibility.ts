import type { JsonSchema } from './published-schemas.js';

/*
 * Hand-written: the maintained JSON Schema diff tools (json-schema-diff and the like) are not
 * dependencies here and answer a broader question. Ours is narrow: do all messages the
 * published schema of a version describes still satisfy the current schema of that version?
 * It covers what zod emits for the contract (flat objects of strings, numbers, integers and
 * literals with their bounds) and reports anything it cannot prove compatible.
 */

type Keyword = Record<string, unknown>;

const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems'] as const;
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems'] as const;
const EXACT_KEYWORDS = ['pattern', 'format', 'const'] as const;

/**
 * The ways the current schema of a message version rejects messages its published schema
 * accepted: a new required field, a removed field, a narrowed type. Empty when compatible.
 */
export function incompatibilities(published: JsonSchema, current: JsonSchema): string[] {
  const problems: string[] = [];
  const publishedRequired = new Set(asStrings(published.required));
  for (const field of asStrings(current.required)) {
    if (!publishedRequired.has(field)) problems.push(`new required field "${field}"`);
  }
  const publishedProperties = asRecord(published.properties);
  const currentProperties = asRecord(current.properties);
  for (const [field, schema] of Object.entries(publishedProperties)) {
    const now = currentProperties[field];
    if (now === undefined) {
      problems.push(`removed field "${field}"`);
      continue;
    }
    problems.push(...narrowings(asRecord(schema), asRecord(now)).map((problem) => `field "${field}": ${problem}`));
  }
  if (current.additionalProperties === false && published.additionalProperties !== false) {
    problems.push('unknown fields are now rejected');
  }
  return problems;
}

/** How one field's current schema accepts fewer values than its published one. */
function narrowings(published: Keyword, current: Keyword): string[] {
  const problems: string[] = [];
  const publishedTypes = typesOf(published);
  const currentTypes = typesOf(current);
  for (const type of publishedTypes) {
    const stillAccepted = currentTypes.includes(type) || (type === 'integer' && currentTypes.includes('number'));
    if (!stillAccepted) problems.push(`type ${type} no longer accepted (now ${currentTypes.join('|') || 'untyped'})`);
  }
  for (const keyword of LOWER_BOUNDS) {
    if (isNumber(current[keyword]) && !(isNumber(published[keyword]) && published[keyword] >= current[keyword])) {
      problems.push(`${keyword} raised to ${current[keyword]}`);
    }
  }
  for (const keyword of UPPER_BOUNDS) {
    if (isNumber(current[keyword]) && !(isNumber(published[keyword]) && published[keyword] <= current[keyword])) {
      problems.push(`${keyword} lowered to ${current[keyword]}`);
    }
  }
  for (const keyword of EXACT_KEYWORDS) {
    if (current[keyword] !== undefined && JSON.stringify(current[keyword]) !== JSON.stringify(published[keyword])) {
      problems.push(`${keyword} changed to ${JSON.stringify(current[keyword])}`);
    }
  }
  if (Array.isArray(current.enum)) {
    const allowed = new Set(current.enum.map((value) => JSON.stringify(value)));
    const before = Array.isArray(published.enum) ? published.enum : undefined;
    const lost = before ? before.filter((value) => !allowed.has(JSON.stringify(value))) : ['(any value)'];
    if (lost.length > 0) problems.push(`enum no longer accepts ${lost.map((value) => JSON.stringify(value)).join(', ')}`);
  }
  return problems;
}

function typesOf(schema: Keyword): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  return asStrings(schema.type);
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number';
}
