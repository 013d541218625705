import { expect, it } from 'vitest';
import { formatTable, MAX_TABLE_WIDTH, type ReportRow } from '../../../bench/report.js';

it('prints a compact table: figure, value, target, result, no line wider than the limit, the conditions left to the JSON', () => {
  // Arrange
  const rows: ReportRow[] = [
    {
      section: 'drain, 500 rpm',
      figure: 'vs sequential consumer',
      value: '4.1x',
      target: '>= 3.8x sequential (90% of the 4.2x the requests-per-minute limit allows)',
      pass: true,
      conditions: 'x'.repeat(400),
    },
    { section: 'cost', figure: 'AWS per 1M entries', value: '$9.40', conditions: 'y'.repeat(300) },
  ];

  // Act
  const lines = formatTable(rows).split('\n');

  // Assert
  expect(lines[0]).toMatch(/^Figure\s+\| Value\s+\| Target\s+\| Result$/);
  expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(MAX_TABLE_WIDTH);
  expect(lines.join('\n')).not.toContain('xxx');
  expect(lines).toContain('[drain, 500 rpm]');
  expect(lines.find((line) => line.startsWith('vs sequential consumer'))).toMatch(/\| PASS$/);
});
