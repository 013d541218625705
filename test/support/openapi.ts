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

/** Asserts the answer's status, content type and body are what the document says for this operation. */
export function expectAnswerMatchesDocument(method: string, pathTemplate: string, answer: ObservedAnswer): void {
  const paths = document.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
  const operation = paths[pathTemplate]?.[method.toLowerCase()];
  expect(operation, `${method} ${pathTemplate} is in the document`).toBeDefined();
  const response = operation!.responses[String(answer.status)];
  expect(response, `${method} ${pathTemplate} documents status ${answer.status}`).toBeDefined();
  if (!response!.content) {
    expect(answer.body).toBe('');
    return;
  }
  const headers = Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), value]));
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
