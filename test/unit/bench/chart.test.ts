import { expect, it } from 'vitest';
import { chartBars, renderChartSvg } from '../../../bench/chart.js';
import type { ReportRow } from '../../../bench/report.js';

const rows: ReportRow[] = [
  { section: 'decoupling', figure: 'POST p99 ratio', value: '0.33', target: '<= 1.2', pass: true, conditions: '' },
  {
    section: 'drain, 500 rpm',
    figure: 'vs sequential consumer',
    value: '4.1x',
    target: '>= 3.8x sequential (90% of the 4.2x)',
    pass: true,
    conditions: '',
  },
  { section: 'cost', figure: 'AWS per 1M entries', value: '$9.40', target: '<= $4', pass: false, conditions: '' },
  { section: 'cost', figure: 'model per 1M entries', value: '$54.42', conditions: '' },
  { section: 'cold start', figure: 'api init', value: '193 ms (1.16x floor)', target: '<= 1.1x floor', pass: false, conditions: '' },
];

it("places every figure with a target against it, in the target's unit when the value has several, and leaves out figures without one", () => {
  const bars = chartBars(rows);

  expect(bars.map((bar) => [bar.label, Number(bar.score.toFixed(2)), bar.pass])).toEqual([
    ['decoupling: POST p99 ratio', 3.64, true],
    ['drain, 500 rpm: vs sequential consumer', 1.08, true],
    ['cost: AWS per 1M entries', 0.43, false],
    ['cold start: api init', 0.95, false],
  ]);
});

it('draws a well-formed SVG with one bar per figure, passes and failures told apart, text escaped', () => {
  const svg = renderChartSvg(rows, 'bench <2026-12-01>');

  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  expect(svg.match(/<rect x="300"/g)).toHaveLength(4);
  expect(svg.match(/fill="#c62828"/g)).toHaveLength(2);
  expect(svg).toContain('bench &lt;2026-12-01&gt;');
  expect(svg).not.toContain('model per 1M');
});

it('names itself for screen readers and image viewers: role img, and the title as its first child', () => {
  const svg = renderChartSvg(rows, 'bench 2026-12-02');

  expect(svg).toMatch(/^<svg [^>]*role="img"[^>]*aria-labelledby="chart-title"[^>]*>\n<title id="chart-title">bench 2026-12-02<\/title>/);
});
