/** One row of the printed table: a figure, its target if it has one, and how it was measured. */
export interface ReportRow {
  section: string;
  figure: string;
  value: string;
  target?: string;
  pass?: boolean;
  conditions: string;
}

/** Widest line of the printed table; the conditions of every figure are in the run's JSON. */
export const MAX_TABLE_WIDTH = 120;

/**
 * Formats rows as a compact plain-text table grouped by section: figure, value, target, result.
 * The conditions stay in the JSON (`rows[].conditions`), where their full length does no harm.
 */
export function formatTable(rows: ReportRow[]): string {
  const headers = ['Figure', 'Value', 'Target', 'Result'];
  const cells = rows.map((row) => [row.figure, row.value, row.target ?? '', row.pass === undefined ? '' : row.pass ? 'PASS' : 'FAIL']);
  // Result is last and at most 6 wide; the other three share the rest.
  const budget = Math.floor((MAX_TABLE_WIDTH - 'Result'.length - 3 * ' | '.length) / 3);
  const widths = headers.map((header, column) =>
    Math.min(column === 3 ? 6 : budget, Math.max(header.length, ...cells.map((cell) => cell[column]?.length ?? 0))),
  );
  const clip = (value: string, width: number) => (value.length > width ? `${value.slice(0, width - 1)}…` : value.padEnd(width));
  const line = (values: string[]) =>
    values
      .map((value, column) => clip(value, widths[column] ?? 0))
      .join(' | ')
      .trimEnd();
  const output: string[] = [line(headers), widths.map((width) => '-'.repeat(width)).join('-|-')];
  let section = '';
  rows.forEach((row, index) => {
    if (row.section !== section) {
      section = row.section;
      output.push(`[${section}]`.slice(0, MAX_TABLE_WIDTH));
    }
    output.push(line(cells[index] ?? []));
  });
  return output.join('\n');
}

/** Formats a number of milliseconds for the table. */
export function ms(value: number): string {
  return `${value.toFixed(value >= 100 ? 0 : 1)} ms`;
}

/** Formats dollars for the table. */
export function usd(value: number): string {
  return `$${value.toFixed(value >= 1 ? 2 : 3)}`;
}
