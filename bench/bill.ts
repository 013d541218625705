import type { BilledFunction } from '../lib/shared/resource-settings.js';
import { FUNCTION_SETTINGS } from '../lib/shared/resource-settings.js';
import type { MeterReading } from '../local/metering/usage-meter.js';
import type { ModelPrice } from '../lambdas/tag-extraction/model-settings.js';
import type { ModelUsage } from '../tools/tag-extraction/model-server/index.js';
import type { PriceTable } from './prices.js';

/*
 * The bill of a metered run, priced as AWS and OpenAI price it: every quantity comes from what
 * the local stack counted (local/metering) and what the model server received, scaled from the
 * run's entries to 1M. Pure arithmetic, so the unit tests pin it with fixed readings.
 */

/** CloudWatch Logs counts 26 bytes of overhead per log event in the size it ingests. */
export const CLOUDWATCH_EVENT_OVERHEAD_BYTES = 26;
const GB = 2 ** 30;
/** Lambda's X-Ray sampling under active tracing (not configurable for Lambda): the first invocation each second, then 5%. */
const XRAY_RESERVOIR_PER_SECOND = 1;
const XRAY_FIXED_RATE = 0.05;

/** One line of a bill, for 1M entries. */
export interface BillLine {
  service: 'HTTP API' | 'Lambda' | 'DynamoDB' | 'SQS' | 'EventBridge' | 'CloudWatch Logs' | 'X-Ray' | 'OpenAI';
  /** The function (or `http-api` for the API's own requests and access log) the line is spent by. */
  spender: BilledFunction | 'http-api' | 'model';
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

/** What a metered run measured. */
export interface MeteredRun {
  entries: number;
  reading: MeterReading;
  modelUsage: ModelUsage;
  /** The model the deployed extraction calls, priced by its list price. */
  model: { id: string; price: ModelPrice };
  /** Each function's memory, as the synthesized template configures it. */
  memoryMb: Record<BilledFunction, number>;
  /** The traffic the X-Ray reservoir is judged at (1M entries spread over a 30-day month by default). */
  entriesPerSecond: number;
}

/** The bill of 1M entries. */
export interface Bill {
  awsUsdPerMillionEntries: number;
  llmUsdPerMillionEntries: number;
  byService: Record<string, number>;
  byFunction: Record<string, number>;
  lines: BillLine[];
}

/** Bills a metered run for 1M entries. */
export function billRun(run: MeteredRun, prices: PriceTable): Bill {
  const scale = 1_000_000 / run.entries;
  const lines: BillLine[] = [];
  const add = (line: Omit<BillLine, 'usd'> & { unitUsd: number }) => {
    const { unitUsd, ...rest } = line;
    if (rest.quantity > 0) lines.push({ ...rest, usd: rest.quantity * unitUsd });
  };
  const { httpApi, functions } = run.reading;
  add({
    service: 'HTTP API',
    spender: 'http-api',
    item: 'requests',
    quantity: httpApi.requests * scale,
    unit: 'requests',
    unitUsd: prices.httpApiRequest.usd,
  });
  add({
    service: 'CloudWatch Logs',
    spender: 'http-api',
    item: 'access log',
    quantity: ((httpApi.accessLogBytes + httpApi.accessLogEvents * CLOUDWATCH_EVENT_OVERHEAD_BYTES) * scale) / GB,
    unit: 'GB',
    unitUsd: prices.logsIngestedGb.usd,
  });
  for (const [name, usage] of Object.entries(functions) as [BilledFunction, MeterReading['functions'][BilledFunction]][]) {
    const invocations = usage.invocations * scale;
    add({
      service: 'Lambda',
      spender: name,
      item: 'invocations',
      quantity: invocations,
      unit: 'invocations',
      unitUsd: prices.lambdaRequest.usd,
    });
    add({
      service: 'Lambda',
      spender: name,
      item: `duration at ${run.memoryMb[name]} MB`,
      quantity: (usage.billedMs / 1000) * (run.memoryMb[name] / 1024) * scale,
      unit: 'GB-s',
      unitUsd: prices.lambdaArmGbSecond.usd,
    });
    add({
      service: 'DynamoDB',
      spender: name,
      item: 'write units',
      quantity: usage.dynamoDbWriteUnits * scale,
      unit: 'WRU',
      unitUsd: prices.dynamoDbWriteUnit.usd,
    });
    add({
      service: 'DynamoDB',
      spender: name,
      item: 'read units',
      quantity: usage.dynamoDbReadUnits * scale,
      unit: 'RRU',
      unitUsd: prices.dynamoDbReadUnit.usd,
    });
    // Receives that returned nothing are the event source mapping's idle polling, billed per month (fixedMonthly).
    add({
      service: 'SQS',
      spender: name,
      item: 'requests',
      quantity: (usage.sqsRequests - usage.emptyReceives) * scale,
      unit: 'requests',
      unitUsd: prices.sqsRequest.usd,
    });
    add({
      service: 'EventBridge',
      spender: name,
      item: 'custom events published',
      quantity: usage.eventBridgeEvents * scale,
      unit: 'events (64 KB chunks)',
      unitUsd: prices.eventBridgeCustomEvent.usd,
    });
    add({
      service: 'CloudWatch Logs',
      spender: name,
      item: 'log events',
      quantity: ((usage.logBytes + usage.logEvents * CLOUDWATCH_EVENT_OVERHEAD_BYTES) * scale) / GB,
      unit: 'GB',
      unitUsd: prices.logsIngestedGb.usd,
    });
    if (FUNCTION_SETTINGS[name].tracing === 'active') {
      const perSecond = (usage.invocations / run.entries) * run.entriesPerSecond;
      add({
        service: 'X-Ray',
        spender: name,
        item: 'traces recorded',
        quantity: invocations * sampledShare(perSecond),
        unit: 'traces',
        unitUsd: prices.xrayTraceRecorded.usd,
      });
    }
  }
  for (const [tier, usage] of Object.entries(run.modelUsage.byServiceTier)) {
    const factor = tier === 'flex' ? (run.model.price.flexFactor ?? 1) : 1;
    add({
      service: 'OpenAI',
      spender: 'model',
      item: `${run.model.id} input tokens (${tier})`,
      quantity: usage.promptTokens * scale,
      unit: 'tokens',
      unitUsd: (run.model.price.inputUsdPerMillionTokens * factor) / 1e6,
    });
    add({
      service: 'OpenAI',
      spender: 'model',
      item: `${run.model.id} output tokens incl. reasoning (${tier})`,
      quantity: usage.completionTokens * scale,
      unit: 'tokens',
      unitUsd: (run.model.price.outputUsdPerMillionTokens * factor) / 1e6,
    });
  }
  const sum = (selected: BillLine[]) => selected.reduce((total, line) => total + line.usd, 0);
  const group = (key: (line: BillLine) => string) =>
    Object.fromEntries([...new Set(lines.map(key))].map((name) => [name, sum(lines.filter((line) => key(line) === name))]));
  return {
    awsUsdPerMillionEntries: sum(lines.filter((line) => line.service !== 'OpenAI')),
    llmUsdPerMillionEntries: sum(lines.filter((line) => line.service === 'OpenAI')),
    byService: group((line) => line.service),
    byFunction: group((line) => line.spender),
    lines,
  };
}

/** The share of invocations Lambda records at `perSecond` invocations a second: all up to the reservoir, then 5% of the rest. */
export function sampledShare(perSecond: number): number {
  if (perSecond <= XRAY_RESERVOIR_PER_SECOND) return 1;
  return (XRAY_RESERVOIR_PER_SECOND + XRAY_FIXED_RATE * (perSecond - XRAY_RESERVOIR_PER_SECOND)) / perSecond;
}

/** What the system costs per month whatever the traffic, from the synthesized stacks and the consumer settings. */
export function fixedMonthly(prices: PriceTable, counts: { alarms: number; dashboards: number; secrets: number; idlePollers: number }) {
  // Each idle poller of the SQS event source mapping long-polls for 20 s: 3 receives a minute.
  const idlePolls = counts.idlePollers * 3 * 60 * 24 * 30;
  const parts = {
    alarms: counts.alarms * prices.alarmMonth.usd,
    dashboards: counts.dashboards * prices.dashboardMonth.usd,
    secrets: counts.secrets * prices.secretMonth.usd,
    idleSqsPolls: idlePolls * prices.sqsRequest.usd,
  };
  return { usd: Object.values(parts).reduce((total, value) => total + value, 0), parts, counts: { ...counts, idlePolls } };
}
