import { request as httpRequest } from 'node:http';
import type { components, paths } from './openapi-types.js';

type Schemas = components['schemas'];

/** An entry as the API answers with it (openapi.json's `Entry`). */
export type EntryView = Schemas['Entry'];

/** A page of GET /logs. */
type EntryPage = paths['/logs']['get']['responses'][200]['content']['application/json'];

/** A page of GET /me/tech-stack. */
export type TechStackPage = paths['/me/tech-stack']['get']['responses'][200]['content']['application/json'];

/**
 * An answer's JSON with the fields tests read, without narrowing first: an entry, a page of
 * entries, a problem (RFC 9457) or API Gateway's own error. Tests also read fields an answer must
 * not have, so any other field reads as unknown.
 */
export type AnswerBody = Partial<Omit<EntryView, 'status'> & EntryPage & Omit<Schemas['Problem'], 'status'> & Schemas['GatewayError']> & {
  /** The entry's status, or a problem's HTTP status. */
  status?: EntryView['status'] | Schemas['Problem']['status'];
  [field: string]: unknown;
};

/** GET /me/tech-stack's JSON: a page of the caller's technologies, or a problem. */
type TechStackBody = Partial<TechStackPage & Schemas['Problem']> & { [field: string]: unknown };

/** One POST's answer. */
export interface PostResult {
  status: number;
  body: AnswerBody;
  headers: Headers;
  /** Milliseconds from sending to the whole answer. */
  ms: number;
}

/** The dev-log API over HTTP, as one user (one bearer token). */
export class ApiClient {
  constructor(
    readonly apiUrl: string,
    private readonly token: string,
  ) {}

  /** POST /logs; network errors are thrown, every HTTP answer is returned. */
  async post(entry: string, headers: Record<string, string> = {}): Promise<PostResult> {
    const started = performance.now();
    const response = await fetch(`${this.apiUrl}/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ entry }),
    });
    const text = await response.text();
    return { status: response.status, body: parseJson<AnswerBody>(text), headers: response.headers, ms: performance.now() - started };
  }

  /** GET /logs/{id}: the entry, or undefined on 404. */
  async get(id: string): Promise<EntryView | undefined> {
    const response = await fetch(`${this.apiUrl}/logs/${id}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new Error(`GET /logs/${id} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as EntryView;
  }

  /** PATCH /logs/{id} with a new text; every HTTP answer is returned. */
  async patch(id: string, entry: string): Promise<PostResult> {
    const started = performance.now();
    const response = await fetch(`${this.apiUrl}/logs/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ entry }),
    });
    const text = await response.text();
    return { status: response.status, body: parseJson<AnswerBody>(text), headers: response.headers, ms: performance.now() - started };
  }

  /** DELETE /logs/{id}: the status and the raw body (empty on 204). */
  async delete(id: string): Promise<{ status: number; headers: Headers; text: string }> {
    const response = await fetch(`${this.apiUrl}/logs/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${this.token}` } });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  /** GET /logs with a query (`tag`, `limit`, `cursor`): the raw answer and the parsed body. */
  async list(query: Record<string, string>): Promise<{ status: number; headers: Headers; text: string; body: AnswerBody }> {
    const response = await fetch(`${this.apiUrl}/logs?${new URLSearchParams(query)}`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: parseJson<AnswerBody>(text) };
  }

  /** GET /me/tech-stack: the status and the parsed body. */
  async techStack(): Promise<{ status: number; body: TechStackBody }> {
    const response = await fetch(`${this.apiUrl}/me/tech-stack`, { headers: { authorization: `Bearer ${this.token}` } });
    return { status: response.status, body: parseJson<TechStackBody>(await response.text()) };
  }

  /** Every entry of this user, paging through GET /logs 100 at a time. */
  async listAll(): Promise<EntryView[]> {
    const items: EntryView[] = [];
    let cursor: string | undefined;
    do {
      const query = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await fetch(`${this.apiUrl}/logs?${query}`, { headers: { authorization: `Bearer ${this.token}` } });
      if (response.status !== 200) throw new Error(`GET /logs answered ${response.status}: ${await response.text()}`);
      const page = (await response.json()) as EntryPage;
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }
}

/** A raw HTTP exchange: what a client sent and what came back, nothing normalised. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Sends exactly this request line, headers and body over a fresh connection (fetch would
 * normalise the path, refuse some headers and methods, and add its own content type).
 */
export function rawRequest(
  baseUrl: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method,
        path: options.path,
        headers: {
          ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers,
        },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

function parseJson<Body>(text: string): Body | { unparsable: string } {
  try {
    return JSON.parse(text) as Body;
  } catch {
    return { unparsable: text };
  }
}
