import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import document from '../../openapi.json' with { type: 'json' };

/*
 * Validates real answers against the committed openapi.json (not against the zod schemas it
 * was generated from), so a test fails when the document promises something the API does not do.
 */

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(document, 'openapi');

/** An answer as a test saw it. */
export interface ObservedAnswer {
  status: number;
  /** Header names in any case. */
  headers: Record<string, string | undefined>;
  /** The raw body; empty for 204. */
  body: string;
}

const pointer = (...parts: string[]) => parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** A documented response header. */
interface DocumentedHeader {
  required?: boolean;
  schema?: { pattern?: string };
}

/**
 * Headers of the API's own protocol that an answer may carry only where the document says so
 * (generic ones like content-type are not listed per response).
 */
const PROTOCOL_HEADERS = ['retry-after', 'ratelimit', 'ratelimit-policy', 'preference-applied', 'location', 'idempotent-replayed', 'allow'];

/** Asserts the answer's status, headers, content type and body are what the document says for this operation. */
export function expectAnswerMatchesDocument(method: string, pathTemplate: string, answer: ObservedAnswer): void {
  const paths = document.paths as Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, DocumentedHeader> }> }>
  >;
  const operation = paths[pathTemplate]?.[method.toLowerCase()];
  expect(operation, `${method} ${pathTemplate} is in the document`).toBeDefined();
  const response = operation!.responses[String(answer.status)];
  expect(response, `${method} ${pathTemplate} documents status ${answer.status}`).toBeDefined();
  const headers = Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), value]));
  const documentedHeaders = Object.fromEntries(
    Object.entries(response!.headers ?? {}).map(([name, header]) => [name.toLowerCase(), header]),
  );
  for (const [name, header] of Object.entries(documentedHeaders)) {
    const value = headers[name];
    if (header.required) expect(value, `${answer.status} carries the required header ${name}`).toBeDefined();
    if (value !== undefined && header.schema?.pattern) expect(value, `header ${name}`).toMatch(new RegExp(header.schema.pattern));
  }
  const undocumented = PROTOCOL_HEADERS.filter((name) => headers[name] !== undefined && documentedHeaders[name] === undefined);
  expect(undocumented, `headers of the ${answer.status} answer the document does not list`).toEqual([]);
  if (!response!.content) {
    expect(answer.body).toBe('');
    return;
  }
  const mediaType = headers['content-type']?.split(';')[0]?.trim() ?? '';
  expect(Object.keys(response!.content), `content types of ${answer.status}`).toContain(mediaType);
  const validate = ajv.getSchema(
    `openapi#/${pointer('paths', pathTemplate, method.toLowerCase(), 'responses', String(answer.status), 'content', mediaType, 'schema')}`,
  );
  expect(validate).toBeDefined();
  const valid = validate!(JSON.parse(answer.body));
  expect(validate!.errors ?? [], `the ${answer.status} body matches the document`).toEqual([]);
  expect(valid).toBe(true);
}

/** One part of a request: its JSON body, or a parameter's value as sent (query, header or path). */
export type RequestPart = { body: unknown } | { in: 'query' | 'header' | 'path'; name: string; value: string };

interface DocumentedParameter {
  in: string;
  name: string;
  schema: { type?: string };
}

/**
 * Whether the document allows this part of a request to the operation, judged by its own schemas
 * (ajv, as an OpenAPI validator would). A parameter typed as a number is read the way a client
 * generated from the document writes it: an integer in its canonical decimal form.
 */
export function documentAllows(method: string, pathTemplate: string, part: RequestPart): boolean {
  const operationPointer = ['paths', pathTemplate, method.toLowerCase()];
  if ('body' in part) {
    const validate = ajv.getSchema(`openapi#/${pointer(...operationPointer, 'requestBody', 'content', 'application/json', 'schema')}`);
    expect(validate, `${method} ${pathTemplate} documents a JSON body`).toBeDefined();
    return validate!(part.body) as boolean;
  }
  const operation = (document.paths as unknown as Record<string, Record<string, { parameters?: DocumentedParameter[] }>>)[pathTemplate]?.[
    method.toLowerCase()
  ];
  const index = (operation?.parameters ?? []).findIndex(
    (parameter) => parameter.in === part.in && parameter.name.toLowerCase() === part.name.toLowerCase(),
  );
  if (index < 0) return false;
  const { schema } = operation!.parameters![index]!;
  const numeric = (schema.type === 'integer' || schema.type === 'number') && String(Number(part.value)) === part.value;
  const validate = ajv.getSchema(`openapi#/${pointer(...operationPointer, 'parameters', String(index), 'schema')}`);
  return validate!(numeric ? Number(part.value) : part.value) as boolean;
}
