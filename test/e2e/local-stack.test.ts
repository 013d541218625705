import { EXTRACTION_SERVICE_VERSION } from '../../lambdas/tag-extraction/version.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killLaunchedStacks } from '../../local/stack-launcher.js';
import { type ModelServer, startModelServer } from '../../tools/tag-extraction/model-server/index.js';
import type { AnswerBody } from '../support/api-client.js';
import { waitFor } from '../support/wait.js';
import {
  isListening,
  postEntry,
  SEED_ENTRY,
  spawnLocalStack,
  temporaryDataDir,
  tokenFromCli,
  waitForEntry,
  type StackProcess,
} from './support/local-stack-process.js';

/*
 * The local stack as a newcomer runs it: its own process, started by `tsx local/start.ts`,
 * talked to over HTTP only, stopped with SIGTERM. One stack uses an OpenAI-compatible server
 * this test scripts (slow, and adding a technology the text does not name); another runs
 * without any OpenAI configuration on the offline stand-in.
 */

const SEED_TAGS = ['Django', 'Elasticsearch', 'ImaginaryNoneExistence Cloud'];
const MODEL_DELAY_MS = 2_000;
const tagValues = (entry: AnswerBody) => (entry.tags ?? []).map((tag) => tag.value);

afterAll(async () => {
  await killLaunchedStacks();
});

describe('with an OpenAI-compatible server', () => {
  let model: ModelServer;
  let data: Awaited<ReturnType<typeof temporaryDataDir>>;
  let stack: StackProcess;
  let env: { DATA_DIR: string } & Record<string, string>;
  let seedId: string;

  beforeAll(async () => {
    model = await startModelServer({
      answer: () => ({ technologies: [...SEED_TAGS, 'Kubernetes'] }),
      latencyMs: MODEL_DELAY_MS,
      models: { 'e2e-model': { shutdownDate: '2027-01-14' } },
    });
    data = await temporaryDataDir();
    env = { DATA_DIR: data.dataDir, OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: 'sk-e2e-key', OPENAI_MODEL: 'e2e-model' };
    stack = await spawnLocalStack(env);
  });

  afterAll(async () => {
    await stack?.stop();
    await model?.stop();
    await data?.remove();
  });

  it('starts in well under a minute', () => {
    expect(stack.wallStartupMs).toBeLessThan(15_000);
    expect(stack.output()).toContain(`OpenAI-compatible server at ${model.baseUrl}`);
  });

  it('checks the model server once at start and says what it found', () => {
    expect(stack.output()).toMatch(
      new RegExp(`Model\\s+${model.baseUrl.replaceAll('.', '\\.')} reachable, model e2e-model known, SHUTS DOWN ON 2027-01-14`),
    );
    expect(model.lookups).toEqual(['e2e-model']);
  });

  it('accepts the seed entry at once although the model takes 2 s, then tags it with what the text names', async () => {
    const posted = await postEntry(stack.apiUrl, stack.token, SEED_ENTRY);

    expect(posted.status).toBe(202);
    expect(posted.elapsedMs).toBeLessThan(1_000);
    expect(posted.body.status).toBe('pending');
    seedId = posted.body.id as string;

    const done = await waitForEntry(stack.apiUrl, stack.token, seedId);
    expect(done.status).toBe('done');
    expect(tagValues(done)).toEqual(SEED_TAGS);
    expect(tagValues(done)).not.toContain('Kubernetes');
    // The configured key reached the model through the local Secrets Manager.
    expect(model.requests[0]?.headers.authorization).toBe('Bearer sk-e2e-key');
    expect(model.requests[0]?.body.model).toBe('e2e-model');
  });

  it("logs the lifecycle guard's warning naming the model's shutdown date, without delaying the extraction", async () => {
    const warning = await waitFor(() => stack.output().match(/model e2e-model shuts down on 2027-01-14 \(in -?\d+ days\)/)?.[0], {
      timeoutMs: 10_000,
      what: 'the lifecycle warning in the stack log',
    });
    expect(warning).toBeDefined();
    expect(model.lookups).toEqual(['e2e-model', 'e2e-model']);
  });

  it('answers 401 without a token', async () => {
    const response = await fetch(`${stack.apiUrl}/logs`);

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
  });

  it("prints exactly one token with `npm run --silent token`, which the stack accepts; that user cannot see others' entries", async () => {
    const stdout = await tokenFromCli('alice', data.dataDir);

    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const alice = stdout.trim();
    const list = await fetch(`${stack.apiUrl}/logs`, { headers: { authorization: `Bearer ${alice}` } });
    const foreign = await fetch(`${stack.apiUrl}/logs/${seedId}`, { headers: { authorization: `Bearer ${alice}` } });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ items: [] });
    expect(foreign.status).toBe(404);
  });

  it('stops cleanly on SIGTERM and keeps entries and tokens across a restart on the same DATA_DIR', async () => {
    const stopped = await stack.stop();

    expect(stopped).toMatchObject({ code: 0, leftoverPids: [] });
    expect(stopped.stopMs).toBeLessThan(5_000);
    expect(await isListening(stack.port)).toBe(false);

    const oldToken = stack.token;
    stack = await spawnLocalStack(env);
    const response = await fetch(`${stack.apiUrl}/logs/${seedId}`, { headers: { authorization: `Bearer ${oldToken}` } });
    const entry = (await response.json()) as AnswerBody;
    expect(response.status).toBe(200);
    expect(entry.status).toBe('done');
    expect(tagValues(entry)).toEqual(SEED_TAGS);
  });
});

describe('without any OpenAI configuration', () => {
  let data: Awaited<ReturnType<typeof temporaryDataDir>>;
  let stack: StackProcess;

  beforeAll(async () => {
    data = await temporaryDataDir();
    stack = await spawnLocalStack({ DATA_DIR: data.dataDir });
  });

  afterAll(async () => {
    await stack?.stop();
    await data?.remove();
  });

  it('says so at start and tags the seed entry with the offline stand-in', async () => {
    expect(stack.output()).toMatch(/Extractor\s+offline stand-in/);

    const posted = await postEntry(stack.apiUrl, stack.token, SEED_ENTRY);
    const done = await waitForEntry(stack.apiUrl, stack.token, posted.body.id as string);

    expect(posted.status).toBe(202);
    expect(done).toMatchObject({ status: 'done', model: 'offline-dictionary', extractorVersion: EXTRACTION_SERVICE_VERSION });
    expect(tagValues(done)).toEqual(SEED_TAGS);
  });
});
