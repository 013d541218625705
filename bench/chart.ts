import type { ReportRow } from './report.js';

/*
 * Hand-written SVG (no charting library or service): one bar per figure that has a target,
 * drawn as how far it is from its target (measured / target for ">=", target / measured for
 * "<="), so figures in ms, KiB, $ and x share one axis; the line at 1 is the target.
 */

const WIDTH = 760;
const BAR_AREA_X = 300;
const BAR_AREA_WIDTH = 300;
const ROW_HEIGHT = 26;
const TOP = 46;
/** The axis ends at twice the target; anything beyond is drawn at the edge. */
const MAX_SCORE = 2;

/** A figure placed against its target. */
export interface ChartBar {
  label: string;
  value: string;
  target: string;
  /** 1 is exactly on target; above 1 is better than the target. */
  score: number;
  pass: boolean;
}

/** The bars of the rows whose value and target are numbers with a >= or <= target; others are left out. */
export function chartBars(rows: readonly ReportRow[]): ChartBar[] {
  return rows.flatMap((row) => {
    if (row.pass === undefined || !row.target) return [];
    const direction = /^\s*(>=|<=)/.exec(row.target)?.[1];
    const [target] = numbersWithUnits(row.target);
    const values = numbersWithUnits(row.value);
    // "193 ms (1.16x floor)" against "<= 1.1x floor" compares the 1.16x, not the 193 ms.
    const measured = (values.find((value) => value.unit === target?.unit) ?? values[0])?.number;
    if (!direction || target === undefined || measured === undefined || target.number <= 0 || measured <= 0) return [];
    const score = direction === '>=' ? measured / target.number : target.number / measured;
    return [{ label: `${row.section}: ${row.figure}`, value: row.value, target: row.target, score, pass: row.pass }];
  });
}

/** An SVG chart of one bench run's figures against their targets. */
export function renderChartSvg(rows: readonly ReportRow[], title: string): string {
  const bars = chartBars(rows);
  const height = TOP + bars.length * ROW_HEIGHT + 30;
  const x = (score: number) => BAR_AREA_X + (Math.min(score, MAX_SCORE) / MAX_SCORE) * BAR_AREA_WIDTH;
  const body = bars.map((bar, index) => {
    const y = TOP + index * ROW_HEIGHT;
    return [
      `<text x="${BAR_AREA_X - 8}" y="${y + 15}" text-anchor="end">${escapeXml(shorten(bar.label, 46))}</text>`,
      `<rect x="${BAR_AREA_X}" y="${y + 4}" width="${(x(bar.score) - BAR_AREA_X).toFixed(1)}" height="${ROW_HEIGHT - 10}" fill="${bar.pass ? '#2e7d32' : '#c62828'}"><title>${escapeXml(`${bar.value} (target ${bar.target})`)}</title></rect>`,
      `<text x="${BAR_AREA_X + BAR_AREA_WIDTH + 8}" y="${y + 15}">${escapeXml(shorten(`${bar.value} ${bar.pass ? 'PASS' : 'FAIL'}`, 24))}</text>`,
    ].join('');
  });
  const targetX = x(1);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12" role="img" aria-labelledby="chart-title">
<title id="chart-title">${escapeXml(title)}</title>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>
<text x="10" y="36" fill="#555555">bar: how far each figure is from its target (1 = on target, right of the line = better; capped at ${MAX_SCORE}x)</text>
${body.join('\n')}
<line x1="${targetX}" y1="${TOP - 4}" x2="${targetX}" y2="${height - 26}" stroke="#000000" stroke-dasharray="4 3"/>
<text x="${targetX}" y="${height - 12}" text-anchor="middle">target</text>
</svg>
`;
}

/** The numbers of a figure with the unit right after each ("1.16x" -> x, "471 KiB" -> KiB, "$4" -> none). */
function numbersWithUnits(text: string): { number: number; unit: string }[] {
  return [...text.replace(/,/g, '').matchAll(/(\d+(?:\.\d+)?)\s*(%|[A-Za-z]*)/g)].map(([, number = '', unit = '']) => ({
    number: Number(number),
    unit,
  }));
}

function shorten(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
