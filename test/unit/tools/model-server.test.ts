import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ModelServer,
  type ModelServerOptions,
  OFFLINE_DICTIONARY_MODEL,
  offlineDictionary,
  rateLimited,
  startModelServer,
  withRandomFaults,
} from '../../../tools/tag-extraction/model-server/index.js';

let server: ModelServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(options: ModelServerOptions = {}): Promise<ModelServer> {
  server = await startModelServer(options);
  return server;
}

/** The parts of the server's JSON answers the tests read. */
interface Answered {
  model?: string;
  choices: { message: { content: string } }[];
  error: { message: string; code?: string | null; param?: string | null };
}

/** The JSON body of a response. */
async function json(response: Response | Promise<Response>): Promise<Answered> {
  return (await (await response).json()) as Answered;
}

/** POSTs a chat completions request for our prompt's `{"entry": ...}` user message. */
function complete(baseUrl: string, entry: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: JSON.stringify({ entry }) }], ...extra }),
  });
}

describe('the model server', () => {
  it('binds 127.0.0.1 and answers in the OpenAI format the SDK parses, recording each request', async () => {
    // Arrange
    const model = await start({ answer: ({ entry }) => ({ technologies: entry.split(' ') }) });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: model.baseUrl, maxRetries: 0 });

    // Act
    const completion = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: JSON.stringify({ entry: 'Django Rust' }) }],
    });

    // Assert
    expect(model.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ technologies: ['Django', 'Rust'] });
    expect(completion.model).toBe('gpt-test');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(model.requests).toMatchObject([{ index: 0, entry: 'Django Rust', call: 1, model: 'gpt-test' }]);
    expect(model.requests[0]!.headers.authorization).toBe('Bearer sk-test');
    expect(model.requestsFor('Django Rust')).toBe(1);
  });

  it('answers with the offline dictionary as one of its answer functions', async () => {
    // Arrange
    const model = await start({ answer: offlineDictionary });

    // Act
    const body = await json(complete(model.baseUrl, 'Wrote a Rust service that reads from Kafka'));

    // Assert
    expect(body.model).toBe(OFFLINE_DICTIONARY_MODEL);
    expect(JSON.parse(body.choices[0]!.message.content)).toEqual({ technologies: ['Rust', 'Kafka'] });
  });

  it('holds answers until the test releases them, and arrivals() is the barrier', async () => {
    // Arrange
    const model = await start();
    model.hold();
    let answered = false;
    const first = complete(model.baseUrl, 'one').then((response) => {
      answered = true;
      return response;
    });
    const second = complete(model.baseUrl, 'two');

    // Act
    await model.arrivals(2);
    const answeredWhileHeld = answered;
    model.release();

    // Assert
    expect(answeredWhileHeld).toBe(false);
    expect(model.inFlight).toBe(2);
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
  });

  it('lets an answer function wait on a test barrier before it decides', async () => {
    // Arrange
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const model = await start({
      answer: async () => {
        await gate;
        return { technologies: ['Go'] };
      },
    });
    const pending = complete(model.baseUrl, 'gated');

    // Act
    await model.arrivals(1);
    open();

    // Assert
    expect(JSON.parse((await json(pending)).choices[0]!.message.content)).toEqual({ technologies: ['Go'] });
  });

  it('sends scripted faults: a status with retry-after and retry-after-ms headers', async () => {
    // Arrange
    const model = await start({ answer: () => rateLimited({ seconds: 17, milliseconds: 2500 }) });

    // Act
    const response = await complete(model.baseUrl, 'busy');

    // Assert
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('17');
    expect(response.headers.get('retry-after-ms')).toBe('2500');
    expect((await json(response)).error).toMatchObject({ code: 'rate_limit_exceeded' });
    expect(model.statuses[429]).toBe(1);
  });

  it('resets the connection on a reset fault', async () => {
    // Arrange
    const model = await start({ answer: () => ({ fault: 'reset' }) });

    // Act
    const attempt = complete(model.baseUrl, 'reset');

    // Assert
    await expect(attempt).rejects.toMatchObject({ cause: { code: 'ECONNRESET' } });
  });

  it('stalls mid-body on a stall fault: the headers arrive, the body never finishes', async () => {
    // Arrange
    const model = await start({ answer: () => ({ fault: 'stall' }) });
    const response = await complete(model.baseUrl, 'stall');
    let bodyDone = false;
    const body = response.text().finally(() => (bodyDone = true));

    // Act: answer another request, which proves the stalled one had its turn
    model.answer = () => ({ technologies: [] });
    await json(complete(model.baseUrl, 'after'));
    const doneBeforeStop = bodyDone;
    await model.stop();

    // Assert
    expect(response.status).toBe(200);
    expect(doneBeforeStop).toBe(false);
    await expect(body).rejects.toThrow();
  });

  it('answers 404 model_not_found for a gone model, and 410 "deprecated" when told', async () => {
    // Arrange
    const model = await start({ models: { 'gpt-old': { gone: 404 }, 'gpt-older': { gone: 410 } } });

    // Act
    const notFound = await complete(model.baseUrl, 'x', { model: 'gpt-old' });
    const deprecated = await complete(model.baseUrl, 'x', { model: 'gpt-older' });

    // Assert
    expect(notFound.status).toBe(404);
    expect((await json(notFound)).error).toMatchObject({ code: 'model_not_found' });
    expect(deprecated.status).toBe(410);
    expect((await json(deprecated)).error.message).toContain('deprecated');
    expect(model.requests.map((request) => request.model)).toEqual(['gpt-old', 'gpt-older']);
  });

  it('rejects temperature other than 1 and max_tokens for a reasoning model, as OpenAI does', async () => {
    // Arrange
    const model = await start({ models: { 'gpt-reasoning': { reasoning: true, answersAs: 'gpt-reasoning-2026-08-07' } } });

    // Act
    const temperature = await complete(model.baseUrl, 'x', { model: 'gpt-reasoning', temperature: 0 });
    const maxTokens = await complete(model.baseUrl, 'x', { model: 'gpt-reasoning', max_tokens: 100 });
    const fine = await complete(model.baseUrl, 'x', { model: 'gpt-reasoning', temperature: 1, max_completion_tokens: 100 });

    // Assert
    expect(temperature.status).toBe(400);
    expect((await json(temperature)).error).toMatchObject({ code: 'unsupported_value', param: 'temperature' });
    expect(maxTokens.status).toBe(400);
    expect((await json(maxTokens)).error).toMatchObject({ code: 'unsupported_parameter', param: 'max_tokens' });
    expect(fine.status).toBe(200);
    expect((await json(fine)).model).toBe('gpt-reasoning-2026-08-07');
  });

  it('serves GET /v1/models/{id} with shutdown_date, and records the lookups', async () => {
    // Arrange
    const model = await start({
      models: { 'gpt-retiring': { shutdownDate: '2027-01-14' }, 'gpt-gone': { gone: 404 } },
      unlistedModels: 'not-found',
    });

    // Act
    const retiring = await fetch(`${model.baseUrl}/models/gpt-retiring`);
    const gone = await fetch(`${model.baseUrl}/models/gpt-gone`);
    const unknown = await fetch(`${model.baseUrl}/models/gpt-unknown`);

    // Assert
    expect(await json(retiring)).toMatchObject({ id: 'gpt-retiring', object: 'model', shutdown_date: '2027-01-14' });
    expect(gone.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error).toMatchObject({ code: 'model_not_found' });
    expect(model.lookups).toEqual(['gpt-retiring', 'gpt-gone', 'gpt-unknown']);
  });

  it('demands the API key when given one', async () => {
    // Arrange
    const model = await start({ apiKey: 'sk-right' });

    // Act
    const wrong = await complete(model.baseUrl, 'x', {}, { authorization: 'Bearer sk-wrong' });
    const right = await complete(model.baseUrl, 'x', {}, { authorization: 'Bearer sk-right' });

    // Assert
    expect(wrong.status).toBe(401);
    expect(right.status).toBe(200);
  });

  it('draws random faults reproducibly from a seed', async () => {
    // Arrange
    const faults = { serverErrorRate: 0.3, rateLimitRate: 0.2 };
    const first = withRandomFaults(() => ({ technologies: [] }), faults, 7);
    const second = withRandomFaults(() => ({ technologies: [] }), faults, 7);
    const request = { index: 0, entry: 'x', call: 1, model: 'm', headers: {}, body: {} };

    // Act
    const firstReplies = await Promise.all(Array.from({ length: 50 }, () => first.answer(request)));
    const secondReplies = await Promise.all(Array.from({ length: 50 }, () => second.answer(request)));

    // Assert
    expect(firstReplies).toEqual(secondReplies);
    expect(first.counts.serverErrors).toBeGreaterThan(0);
    expect(first.counts.rateLimited).toBeGreaterThan(0);
  });
});
