import { randomUUID } from 'node:crypto';
import { errorBody } from './wire.js';

/*
 * OpenAI's Batch API as the backfill uses it (files upload and content download, batches create
 * and retrieve, output and error files, statuses), hand-written like the rest of this server: no
 * npm mock of OpenAI emulates batches. Each line runs through the same scripted answer as a chat
 * completions request (server.ts passes `run`), off the live requests' path: lines are
 * processed a few at a time between turns of the event loop, as OpenAI runs batches on their
 * own capacity.
 */

/** Lines processed before the emulator yields to other work (the live requests). */
const LINES_PER_TURN = 25;
/** Lines a file may hold, as OpenAI allows. */
const MAX_LINES = 50_000;

/** What the server's chat completions logic answers for one request body. */
export interface LineResult {
  status: number;
  body: unknown;
}

/** An uploaded file. */
interface StoredFile {
  id: string;
  purpose: string;
  filename: string;
  content: string;
  createdAt: number;
}

/** A batch as `GET /v1/batches/{id}` returns it. */
export interface BatchObject {
  id: string;
  object: 'batch';
  endpoint: string;
  errors: { object: 'list'; data: { code: string; message: string; line?: number | null }[] } | null;
  input_file_id: string;
  completion_window: string;
  status: 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

/** An HTTP answer of the emulator. */
export interface BatchRouteAnswer {
  status: number;
  body: unknown;
  contentType?: string;
}

/** The Batch API emulator behind the model server's `/v1/files` and `/v1/batches` routes. */
export class BatchEmulator {
  private readonly files = new Map<string, StoredFile>();
  private readonly batches = new Map<string, BatchObject>();
  private readonly running = new Set<Promise<void>>();
  private gate: { promise: Promise<void>; open: () => void } | undefined;
  private expireHeld = false;
  private stopped = false;
  /** Request lines run so far, over all batches. */
  linesRun = 0;

  constructor(private readonly run: (body: unknown) => Promise<LineResult>) {}

  /** Every batch created, in creation order. */
  get all(): BatchObject[] {
    return [...this.batches.values()];
  }

  /** Batches wait before their next lines until `release()` (a test's barrier). */
  hold(): void {
    if (this.gate) return;
    let open = () => {};
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
  }

  /** Lets held batches go on. */
  release(): void {
    this.gate?.open();
    this.gate = undefined;
  }

  /** Held batches end as OpenAI's do after 24 h: `expired`, their unrun lines in the error file as `batch_expired`. */
  expire(): void {
    this.expireHeld = true;
    this.release();
  }

  /** Resolves once every batch created so far has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Stops processing (the server is stopping). */
  stop(): void {
    this.stopped = true;
    this.release();
  }

  /** Answers a files or batches request; undefined when the route is not one of them. */
  async route(method: string, path: string, contentType: string | undefined, raw: Buffer): Promise<BatchRouteAnswer | undefined> {
    if (method === 'POST' && path === '/v1/files') return this.upload(contentType, raw);
    const file = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path);
    if (method === 'GET' && file) {
      const stored = this.files.get(decodeURIComponent(file[1] ?? ''));
      if (!stored) return notFound(`No such File object: ${file[1]}`);
      return file[2]
        ? { status: 200, body: stored.content, contentType: 'application/octet-stream' }
        : { status: 200, body: fileObject(stored) };
    }
    if (method === 'POST' && path === '/v1/batches') return this.create(raw);
    const batch = /^\/v1\/batches\/([^/]+)$/.exec(path);
    if (method === 'GET' && batch) {
      const found = this.batches.get(decodeURIComponent(batch[1] ?? ''));
      return found ? { status: 200, body: found } : notFound(`No such Batch object: ${batch[1]}`);
    }
    return undefined;
  }

  private async upload(contentType: string | undefined, raw: Buffer): Promise<BatchRouteAnswer> {
    let form: FormData;
    try {
      // The WHATWG Request parses multipart/form-data; no hand-written parser needed.
      form = await new Request('http://model-server/v1/files', {
        method: 'POST',
        headers: { 'content-type': contentType ?? '' },
        body: raw,
      }).formData();
    } catch {
      return badRequest('The upload must be multipart/form-data with a file and a purpose.');
    }
    const upload = form.get('file');
    const purpose = form.get('purpose');
    if (!(upload instanceof Blob) || typeof purpose !== 'string') return badRequest("Missing required parameter: 'file' or 'purpose'.");
    const stored: StoredFile = {
      id: `file-${randomUUID().replaceAll('-', '')}`,
      purpose,
      filename: upload instanceof File ? upload.name : 'upload',
      content: await upload.text(),
      createdAt: nowSeconds(),
    };
    this.files.set(stored.id, stored);
    return { status: 200, body: fileObject(stored) };
  }

  private create(raw: Buffer): BatchRouteAnswer {
    let request: { input_file_id?: string; endpoint?: string; completion_window?: string; metadata?: Record<string, string> };
    try {
      request = JSON.parse(raw.toString('utf8'));
    } catch {
      return badRequest('We could not parse the JSON body of your request.');
    }
    const input = request.input_file_id ? this.files.get(request.input_file_id) : undefined;
    if (!input) return badRequest(`Invalid 'input_file_id': '${request.input_file_id}'.`);
    if (input.purpose !== 'batch') return badRequest("The input file must be uploaded with purpose 'batch'.");
    if (request.completion_window !== '24h') return badRequest("Invalid 'completion_window': only '24h' is supported.");
    if (request.endpoint !== '/v1/chat/completions')
      return badRequest(`Invalid 'endpoint': this server runs '/v1/chat/completions' batches, not '${request.endpoint}'.`);
    const created = nowSeconds();
    const batch: BatchObject = {
      id: `batch_${randomUUID().replaceAll('-', '')}`,
      object: 'batch',
      endpoint: request.endpoint,
      errors: null,
      input_file_id: input.id,
      completion_window: '24h',
      status: 'validating',
      output_file_id: null,
      error_file_id: null,
      created_at: created,
      in_progress_at: null,
      expires_at: created + 24 * 3600,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
      metadata: request.metadata ?? null,
    };
    this.batches.set(batch.id, batch);
    const processing = this.process(batch, input.content).finally(() => this.running.delete(processing));
    this.running.add(processing);
    return { status: 200, body: { ...batch } };
  }

  private async process(batch: BatchObject, content: string): Promise<void> {
    await turn();
    const parsed = validate(content, batch.endpoint);
    if ('errors' in parsed) {
      Object.assign(batch, { status: 'failed', failed_at: nowSeconds(), errors: { object: 'list', data: parsed.errors } });
      return;
    }
    Object.assign(batch, { status: 'in_progress', in_progress_at: nowSeconds() });
    batch.request_counts.total = parsed.lines.length;
    const output: string[] = [];
    const errors: string[] = [];
    let next = 0;
    while (next < parsed.lines.length && !this.stopped) {
      if (this.gate) await this.gate.promise;
      if (this.expireHeld) break;
      for (const line of parsed.lines.slice(next, next + LINES_PER_TURN)) {
        const result = await this.run(line.body);
        this.linesRun++;
        const record = {
          id: `batch_req_${randomUUID().replaceAll('-', '')}`,
          custom_id: line.custom_id,
          response: { status_code: result.status, request_id: randomUUID(), body: result.body },
          error: null,
        };
        if (result.status === 200) {
          output.push(JSON.stringify(record));
          batch.request_counts.completed++;
        } else {
          errors.push(JSON.stringify(record));
          batch.request_counts.failed++;
        }
      }
      next += LINES_PER_TURN;
      await turn();
    }
    for (const line of parsed.lines.slice(Math.min(next, parsed.lines.length))) {
      errors.push(
        JSON.stringify({
          id: `batch_req_${randomUUID().replaceAll('-', '')}`,
          custom_id: line.custom_id,
          response: null,
          error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
        }),
      );
    }
    Object.assign(batch, { status: 'finalizing', finalizing_at: nowSeconds() });
    batch.output_file_id = output.length > 0 ? this.store('batch_output', output) : null;
    batch.error_file_id = errors.length > 0 ? this.store('batch_output', errors) : null;
    const expired = next < parsed.lines.length;
    Object.assign(batch, expired ? { status: 'expired', expired_at: nowSeconds() } : { status: 'completed', completed_at: nowSeconds() });
  }

  private store(purpose: string, lines: string[]): string {
    const stored: StoredFile = {
      id: `file-${randomUUID().replaceAll('-', '')}`,
      purpose,
      filename: `${purpose}.jsonl`,
      content: `${lines.join('\n')}\n`,
      createdAt: nowSeconds(),
    };
    this.files.set(stored.id, stored);
    return stored.id;
  }
}

/** The request lines of an input file, or why OpenAI would fail the batch in `validating`. */
function validate(
  content: string,
  endpoint: string,
): { lines: { custom_id: string; body: unknown }[] } | { errors: { code: string; message: string; line: number }[] } {
  const lines: { custom_id: string; body: unknown }[] = [];
  const seen = new Set<string>();
  const rows = content.split('\n').filter((row) => row.trim() !== '');
  if (rows.length > MAX_LINES)
    return {
      errors: [
        { code: 'too_many_requests', message: `The batch has ${rows.length} requests; the limit is ${MAX_LINES}.`, line: MAX_LINES + 1 },
      ],
    };
  for (const [index, row] of rows.entries()) {
    let line: { custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown };
    try {
      line = JSON.parse(row);
    } catch {
      return { errors: [{ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', line: index + 1 }] };
    }
    if (typeof line.custom_id !== 'string')
      return { errors: [{ code: 'missing_required_parameter', message: "Missing 'custom_id'.", line: index + 1 }] };
    if (seen.has(line.custom_id))
      return {
        errors: [
          { code: 'duplicate_custom_id', message: 'The custom_id for this request is a duplicate of another request.', line: index + 1 },
        ],
      };
    if (line.method !== 'POST' || line.url !== endpoint)
      return {
        errors: [{ code: 'invalid_url', message: `Every line must be a POST of the batch's endpoint ${endpoint}.`, line: index + 1 }],
      };
    seen.add(line.custom_id);
    lines.push({ custom_id: line.custom_id, body: line.body });
  }
  return { lines };
}

function fileObject(file: StoredFile) {
  return {
    id: file.id,
    object: 'file',
    bytes: Buffer.byteLength(file.content),
    created_at: file.createdAt,
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
  };
}

function badRequest(message: string): BatchRouteAnswer {
  return { status: 400, body: errorBody({ message }) };
}

function notFound(message: string): BatchRouteAnswer {
  return { status: 404, body: errorBody({ message }) };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Yields to the event loop (I/O included), so live requests are answered between a batch's lines. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
