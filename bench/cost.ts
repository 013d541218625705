import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { CONSUMER_SETTINGS, QUEUE_SETTINGS } from '../lambdas/contract/index.js';
import {
  DEFAULT_OPENAI_MODEL,
  DEFAULT_REASONING_EFFORT,
  DEFAULT_SERVICE_TIER,
  modelPrice,
} from '../lambdas/tag-extraction/model-settings.js';
import { addStage } from '../lib/app.js';
import { type BilledFunction, FUNCTION_SETTINGS, SYSTEM_LOG_LEVEL } from '../lib/shared/resource-settings.js';
import type { MeterReading } from '../local/metering/usage-meter.js';
import type { ModelUsage } from '../tools/tag-extraction/model-server/index.js';
import { type Bill, billRun, fixedMonthly } from './bill.js';
import { entryAt, type StackSectionDeps } from './entries.js';
import { PRICES } from './prices.js';
import { startStackProcess, type StackProcess } from './stack-process.js';
import { round } from './stats.js';

/*
 * The cost section: runs entries through a local stack whose meter counts every billed call,
 * invocation, log line and request (local/metering), and bills what it counted (bench/bill.ts)
 * for 1M entries. Three traffic shapes, each in rounds: a round POSTs its entries at once (each
 * with an Idempotency-Key), waits until they are tagged and GETs each one.
 */

/** AWS part of the cost of 1M entries (steady traffic) must stay at or under this (USD). */
export const MAX_AWS_USD_PER_MILLION = 8;
/** The model's part, at list prices with the default settings (USD per 1M entries). */
export const MAX_LLM_USD_PER_MILLION = 20;
/** How long the scripted model takes per answer (a short gpt-6-luna answer without reasoning). */
const MODEL_LATENCY_MS = 1_000;
/** 1M entries spread over a 30-day month: the rate X-Ray's per-second reservoir is judged at. */
const ENTRIES_PER_SECOND = 1_000_000 / (30 * 24 * 3600);
/**
 * The event source mapping for the full-batch scenarios: one poller whose window outlasts a
 * round's POSTs even on a busy machine, so a round of batchSize entries fills one batch and goes
 * the moment it is full, as at sustained traffic every poller's batch fills before the deployed
 * 1 s window closes. With the deployed five pollers racing, a round splits into batches of about
 * two. What a batch costs does not depend on the window: the poller waits, not the function.
 * Low traffic runs on the deployed settings (a round of one is a batch of one either way).
 */
const FULL_BATCH_CONSUMER = { maxConcurrency: 1, maxBatchingWindowSeconds: 20 };
/** The functions' logical id prefixes in the synthesized templates. */
const FUNCTION_LOGICAL_IDS: Record<BilledFunction, string> = {
  api: 'ApiFunction',
  reconciler: 'ReconcilerFunction',
  extraction: 'ExtractionFunction',
  aggregator: 'TechStackAggregatorFunction',
  entryEvents: 'EntryEventsFunction',
};

/** One traffic shape the bill is measured under. */
export interface CostScenario {
  name: 'steady' | 'low-traffic' | 'waited-get';
  entries: number;
  /** Entries POSTed at once per round: a full batch, or one at a time. */
  roundSize: number;
  /** The GET carries `Prefer: wait=20` and is sent right after the POST, so it waits for the tags. */
  waitedGet: boolean;
  /** Measured with FULL_BATCH_CONSUMER rather than the deployed event source mapping settings. */
  fullBatches: boolean;
  conditions: string;
}

/** The scenarios of a run: steady traffic (full batches), low traffic (batches of one), and the waited GET. */
export function costScenarios(quick: boolean): CostScenario[] {
  const batch = QUEUE_SETTINGS.batchSize;
  return [
    {
      name: 'steady',
      entries: (quick ? 4 : 8) * batch,
      roundSize: batch,
      waitedGet: false,
      fullBatches: true,
      conditions: `rounds of ${batch} POSTs one after another (a full batch), then a plain GET of each once tagged`,
    },
    {
      name: 'low-traffic',
      entries: quick ? 6 : 10,
      roundSize: 1,
      waitedGet: false,
      fullBatches: false,
      conditions: 'one entry at a time: POST, tagged, plain GET (every batch holds one record)',
    },
    {
      name: 'waited-get',
      entries: (quick ? 2 : 4) * batch,
      roundSize: batch,
      waitedGet: true,
      fullBatches: true,
      conditions: `rounds of ${batch} POSTs one after another, each followed at once by GET with Prefer: wait=20 (as the web page reads)`,
    },
  ];
}

/** What one scenario measured, and its bill. */
export interface ScenarioBill {
  scenario: CostScenario;
  batches: { count: number; meanRecords: number };
  reading: MeterReading;
  modelUsage: ModelUsage;
  bill: Bill;
}

/** The cost section's result: the JSON `--only cost --json` prints. */
export interface CostResult {
  awsUsdPerMillionEntries: number;
  llmUsdPerMillionEntries: number;
  targets: { awsUsdPerMillionEntries: number; llmUsdPerMillionEntries: number };
  byFunction: Record<string, number>;
  byService: Record<string, number>;
  lowTraffic: {
    awsUsdPerMillionEntries: number;
    llmUsdPerMillionEntries: number;
    byFunction: Record<string, number>;
    byService: Record<string, number>;
  };
  waitedGet: {
    awsUsdPerMillionEntries: number;
    llmUsdPerMillionEntries: number;
    byFunction: Record<string, number>;
    byService: Record<string, number>;
  };
  /** From the synthesized stacks; not counted by a --quick run. */
  fixedMonthlyUsd: ReturnType<typeof fixedMonthly> | undefined;
  /** Entries the extraction had not tagged within a minute (the bill still counts what they cost so far). */
  untagged: string[];
  conditions: Record<string, unknown>;
  scenarios: ScenarioBill[];
  prices: typeof PRICES;
}

/** What the synthesized stacks configure that bills per month: alarms, dashboards, secrets; and each function's memory. */
export async function synthesizedCostFacts(): Promise<{
  memoryMb: Record<BilledFunction, number>;
  alarms: number;
  dashboards: number;
  secrets: number;
}> {
  const outdir = await mkdtemp(path.join(tmpdir(), 'devlog-bench-cost-'));
  try {
    // Templates only: bundling would take the machine for a minute and changes no setting read here.
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    addStage(app);
    const resources = app
      .synth()
      .stacks.flatMap((stack) =>
        Object.entries((stack.template as { Resources: Record<string, { Type: string; Properties?: { MemorySize?: number } }> }).Resources),
      );
    const count = (type: string) => resources.filter(([, resource]) => resource.Type === type).length;
    const memoryMb = Object.fromEntries(
      (Object.entries(FUNCTION_LOGICAL_IDS) as [BilledFunction, string][]).map(([name, prefix]) => {
        const found = resources.find(([logicalId, resource]) => resource.Type === 'AWS::Lambda::Function' && logicalId.startsWith(prefix));
        if (!found) throw new Error(`no ${prefix}* function in the synthesized templates`);
        return [name, found[1].Properties?.MemorySize ?? 128];
      }),
    ) as Record<BilledFunction, number>;
    return {
      memoryMb,
      alarms: count('AWS::CloudWatch::Alarm'),
      dashboards: count('AWS::CloudWatch::Dashboard'),
      secrets: count('AWS::SecretsManager::Secret'),
    };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** Runs every scenario in one metered local stack and bills each for 1M entries. */
export async function measureCost(options: { quick: boolean }, deps: StackSectionDeps): Promise<CostResult> {
  const { model, entries, log } = deps;
  const price = modelPrice(DEFAULT_OPENAI_MODEL);
  if (!price) throw new Error(`no list price for ${DEFAULT_OPENAI_MODEL} in lambdas/tag-extraction/model-settings.ts`);
  const memoryMb = Object.fromEntries(Object.entries(FUNCTION_SETTINGS).map(([name, settings]) => [name, settings.memoryMb])) as Record<
    BilledFunction,
    number
  >;
  model.setLatency(MODEL_LATENCY_MS);
  model.release();
  const untagged: string[] = [];
  let next = 0;
  const texts = (count: number) => Array.from({ length: count }, () => entryAt(entries, next++));
  const all = costScenarios(options.quick);
  const measured: ScenarioBill[] = [];
  // One stack per event source mapping setting; the scenarios that share one share its stack.
  for (const fullBatches of [true, false]) {
    const stack = await startStackProcess({
      modelBaseUrl: model.baseUrl,
      maxSeconds: deps.maxSeconds,
      ...(fullBatches ? { consumer: FULL_BATCH_CONSUMER } : {}),
    });
    try {
      log(
        `cost: warming up a stack with ${fullBatches ? 'one poller (full batches)' : 'the deployed pollers'} (cold starts are not per entry)...`,
      );
      await runRound(stack, texts(fullBatches ? QUEUE_SETTINGS.batchSize : 1), false, untagged);
      for (const scenario of all.filter((candidate) => candidate.fullBatches === fullBatches)) {
        log(`cost [${scenario.name}]: ${scenario.entries} entries...`);
        measured.push(await measureScenario(stack, scenario, { model, texts, untagged, price, memoryMb }));
      }
    } finally {
      await stack.stop();
    }
  }
  const scenarios = all.map((scenario) => measured.find((bill) => bill.scenario === scenario) as ScenarioBill);
  // Templates only, and after the stack stopped: a synth takes the CPU for a while (skipped by --quick).
  log(
    options.quick
      ? 'cost: --quick, no synth: the fixed monthly cost is not counted'
      : 'cost: synthesizing the stacks (templates only) for alarms and dashboards...',
  );
  const facts = options.quick ? undefined : await synthesizedCostFacts();
  const [steady, lowTraffic, waitedGet] = scenarios as [ScenarioBill, ScenarioBill, ScenarioBill];
  const summary = ({ bill }: ScenarioBill) => ({
    awsUsdPerMillionEntries: round(bill.awsUsdPerMillionEntries, 2),
    llmUsdPerMillionEntries: round(bill.llmUsdPerMillionEntries, 2),
    byFunction: roundValues(bill.byFunction),
    byService: roundValues(bill.byService),
  });
  return {
    ...summary(steady),
    targets: { awsUsdPerMillionEntries: MAX_AWS_USD_PER_MILLION, llmUsdPerMillionEntries: MAX_LLM_USD_PER_MILLION },
    lowTraffic: summary(lowTraffic),
    waitedGet: summary(waitedGet),
    fixedMonthlyUsd: facts
      ? fixedMonthly(PRICES, { alarms: facts.alarms, dashboards: facts.dashboards, secrets: facts.secrets, idlePollers: 5 })
      : undefined,
    conditions: {
      model: `${DEFAULT_OPENAI_MODEL}, reasoning_effort ${DEFAULT_REASONING_EFFORT}, service_tier ${DEFAULT_SERVICE_TIER}; tokens counted by the model server with o200k_base; answered by the offline dictionary after ${MODEL_LATENCY_MS} ms`,
      memoryMb: `${JSON.stringify(memoryMb)} (lib/shared/resource-settings.ts, which the stacks are built from)`,
      tracing: Object.fromEntries(Object.entries(FUNCTION_SETTINGS).map(([name, settings]) => [name, settings.tracing])),
      systemLogLevel: SYSTEM_LOG_LEVEL,
      xray: `Lambda's sampling (1/s, then 5%) at 1M entries over 30 days (${round(ENTRIES_PER_SECOND, 3)} entries/s)`,
      consumer: {
        batchSize: QUEUE_SETTINGS.batchSize,
        deployed: { maxBatchingWindowSeconds: QUEUE_SETTINGS.maxBatchingWindowSeconds, maxConcurrency: CONSUMER_SETTINGS.maxConcurrency },
        fullBatches: {
          ...FULL_BATCH_CONSUMER,
          why: 'steady and waited GET: one poller, so each round fills one batch as at sustained traffic',
        },
      },
      perEntry:
        'one POST with an Idempotency-Key and one GET /logs/{id} per entry; durations measured on this machine (local emulators, shared 2 cores: pessimistic)',
      notPerEntry: 'idle SQS polls (fixedMonthlyUsd), cold starts, storage, the scheduled reconciler',
    },
    untagged,
    scenarios,
    prices: PRICES,
  };
}

/** Runs one scenario on a warmed-up stack and bills what the stack's meter and the model server counted. */
async function measureScenario(
  stack: StackProcess,
  scenario: CostScenario,
  context: {
    model: StackSectionDeps['model'];
    texts: (count: number) => string[];
    untagged: string[];
    price: NonNullable<ReturnType<typeof modelPrice>>;
    memoryMb: Record<BilledFunction, number>;
  },
): Promise<ScenarioBill> {
  const { model, texts, untagged, price, memoryMb } = context;
  await stack.meterReset();
  model.resetUsage();
  const batchesBefore = stack.batches.length;
  for (let done = 0; done < scenario.entries; done += scenario.roundSize) {
    await runRound(stack, texts(Math.min(scenario.roundSize, scenario.entries - done)), scenario.waitedGet, untagged);
  }
  const reading = await stack.meterRead();
  const modelUsage = model.usage();
  const batches = stack.batches.slice(batchesBefore);
  const bill = billRun(
    {
      entries: scenario.entries,
      reading,
      modelUsage,
      model: { id: DEFAULT_OPENAI_MODEL, price },
      memoryMb,
      entriesPerSecond: ENTRIES_PER_SECOND,
    },
    PRICES,
  );
  const records = batches.reduce((sum, batch) => sum + batch.records, 0);
  return {
    scenario,
    batches: { count: batches.length, meanRecords: batches.length ? round(records / batches.length, 2) : 0 },
    reading,
    modelUsage,
    bill,
  };
}

/**
 * One round: the POSTs one after another, each GET waited at once after its POST, or plain once
 * every entry is tagged. An entry not tagged within a minute is listed in `untagged` and the run goes on.
 */
async function runRound(stack: StackProcess, round: string[], waitedGet: boolean, untagged: string[]): Promise<void> {
  const ids: string[] = [];
  const waitedGets: Promise<void>[] = [];
  // One request at a time, as separate Lambda environments would each serve theirs: the
  // durations billed are then the handler's own, not this one process's contention.
  for (const entry of round) {
    const id = await post(stack, entry);
    ids.push(id);
    if (waitedGet) waitedGets.push(get(stack, id, true));
  }
  await Promise.all(waitedGets);
  await stack.waitForDone(ids, 60_000).catch(() => {
    untagged.push(...ids.filter((id) => !stack.done.has(id)));
  });
  if (!waitedGet) for (const id of ids) await get(stack, id, false);
}

async function post(stack: StackProcess, entry: string): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/logs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.devToken}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ entry }),
  });
  const body = (await response.json()) as { id?: string };
  if (response.status !== 202 || !body.id) throw new Error(`POST /logs answered ${response.status}: ${JSON.stringify(body)}`);
  return body.id;
}

async function get(stack: StackProcess, id: string, wait: boolean): Promise<void> {
  const response = await fetch(`${stack.apiUrl}/logs/${id}`, {
    headers: { authorization: `Bearer ${stack.devToken}`, ...(wait ? { prefer: 'wait=20' } : {}) },
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`GET /logs/${id} answered ${response.status}`);
}

function roundValues(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, round(value, 3)]));
}
