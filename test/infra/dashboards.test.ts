import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelPrice } from '../../lambdas/tag-extraction/model-settings.js';
import { EXTRACTION_METRICS } from '../../lambdas/tag-extraction/telemetry.js';
import { synthStage } from './synth.js';

interface Widget {
  type: string;
  properties: { title?: string; markdown?: string; metrics?: unknown[][] };
}

/** A dashboard's body as JSON, each CloudFormation reference inside it replaced by `<ref>`. */
function dashboardOf(template: Template, name: string) {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as { Properties: Record<string, unknown> }[];
  const dashboard = dashboards.find((d) => d.Properties.DashboardName === name);
  expect(dashboard, `dashboard ${name}`).toBeDefined();
  const body = dashboard!.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] } | string;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<ref>')).join('');
  return JSON.parse(text) as { widgets: Widget[] };
}

/** The DevLogTags metric names and the expressions of a dashboard's graphs. */
function metricsOf(widgets: Widget[]) {
  const rows = widgets.flatMap((widget) => widget.properties.metrics ?? []);
  const names = rows.filter((row) => row[0] === 'DevLogTags').map((row) => String(row[1]));
  const expressions = rows
    .flatMap((row) =>
      row.filter((cell): cell is { expression: string } => typeof cell === 'object' && cell !== null && 'expression' in cell),
    )
    .map((cell) => cell.expression);
  return { names, expressions };
}

/** Every metric name of EXTRACTION_METRICS that the extraction code uses (it adds metrics only through them). */
function emittedExtractionMetrics(): Set<string> {
  const dir = join(import.meta.dirname, '../../lambdas/tag-extraction');
  const sources = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && file !== 'telemetry.ts')
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .join('\n');
  // Names come from telemetry.ts only, so this list is complete.
  expect(sources).not.toMatch(/addMetric\(\s*['"`]/);
  return new Set(
    Object.entries(EXTRACTION_METRICS)
      .filter(([key]) => new RegExp(`\\b(EXTRACTION_METRICS|METRICS)\\.${key}\\b`).test(sources))
      .map(([, name]) => name),
  );
}

describe.each(['dev', 'prod'])('dashboards on %s', (stageName) => {
  let stage: ReturnType<typeof synthStage>;
  beforeAll(() => {
    stage = synthStage({ stage: stageName });
  });

  it('has one API dashboard: requests, latency p50/p99, 4xx/5xx and the entries accepted', () => {
    const { widgets } = dashboardOf(stage.api, `devlog-tags-${stageName}-api`);
    const titles = widgets.map((widget) => widget.properties.title);
    expect(titles).toEqual(expect.arrayContaining(['TPS', 'Latency', 'Errors', 'Entries accepted']));
    const rows = widgets.flatMap((widget) => widget.properties.metrics ?? []).map((row) => JSON.stringify(row));
    for (const metric of ['"Count"', '"Latency"', '"4xx"', '"5xx"']) expect(rows.some((row) => row.includes(metric))).toBe(true);
    for (const stat of ['p50', 'p99']) expect(rows.some((row) => row.includes('"Latency"') && row.includes(`"stat":"${stat}"`))).toBe(true);
    expect(metricsOf(widgets).names).toEqual(['EntriesAccepted']);
    stage.api.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ ($.method = "POST") && ($.path = "/logs") && ($.status = "202") }',
      MetricTransformations: [{ MetricNamespace: 'DevLogTags', MetricName: 'EntriesAccepted', MetricValue: '1' }],
    });
  });

  it('has one extraction dashboard with the queue, the DLQ and every extraction figure the issue names', () => {
    const { widgets } = dashboardOf(stage.extraction, `devlog-tags-${stageName}-extraction`);
    expect(widgets.map((widget) => widget.properties.title)).toEqual(
      expect.arrayContaining([
        'Message Count',
        'Oldest Message Age',
        'DLQ: Message Count',
        'Entries tagged and failed',
        'Retries and circuit deferrals',
        'Model latency p50 / p99 (ms)',
        'Tokens in and out',
        'Estimated model cost per day (USD, gpt-6-luna)',
        'Ungrounded tags dropped',
        'Per version (a canary and the version it replaces)',
        'Lambda errors per version',
      ]),
    );
    expect(stage.extraction.findResources('AWS::CloudWatch::Dashboard')).toSatisfy((found: object) => Object.keys(found).length === 1);
  });

  it('shows only metrics the extraction code emits, per version through the ExecutedVersion dimension', () => {
    const { names, expressions } = metricsOf(dashboardOf(stage.extraction, `devlog-tags-${stageName}-extraction`).widgets);
    const emitted = emittedExtractionMetrics();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(emitted, name).toContain(name);
    const searches = expressions.filter((expression) => expression.startsWith('SEARCH('));
    for (const name of ['RecordsProcessed', 'RecordsFailed', 'UngroundedTagsDropped']) {
      expect(emitted).toContain(name);
      expect(searches).toContain(`SEARCH('{DevLogTags,service,ExecutedVersion} service="tag-extraction" MetricName="${name}"', 'Sum', 60)`);
    }
    expect(searches.some((search) => search.includes('{AWS/Lambda,FunctionName,Resource,ExecutedVersion}'))).toBe(true);
  });

  it('prices the tokens with the model settings: cost per day from tokens in and out', () => {
    const price = modelPrice('gpt-6-luna')!;
    const { expressions } = metricsOf(dashboardOf(stage.extraction, `devlog-tags-${stageName}-extraction`).widgets);
    expect(expressions).toContain(
      `(tokensIn * ${price.inputUsdPerMillionTokens} + tokensOut * ${price.outputUsdPerMillionTokens}) / 1000000`,
    );
  });
});

describe('extraction dashboard of a model without a known price', () => {
  it('says so instead of estimating', () => {
    const stage = synthStage({ stage: 'prod', openAiModel: 'llama3.1' });
    const { widgets } = dashboardOf(stage.extraction, 'devlog-tags-prod-extraction');
    expect(widgets.map((widget) => widget.properties.title)).toContain(
      'Estimated model cost per day: no price known for llama3.1 (model-settings.ts)',
    );
  });
});
