/** One row of the printed table: a figure, its target if it has one, and how it was measured. */
export interface ReportRow {
  section: string;
  figure: string;
  value: string;
  target?: string;
  pass?: boolean;
  conditions: string;
}

/** Formats rows as a plain-text table grouped by section, with the conditions beside every figure. */
export function formatTable(rows: ReportRow[]): string {
  const headers = ['Figure', 'Value', 'Target', 'Result', 'Conditions'];
  const cells = rows.map((row) => [row.figure, row.value, row.target ?? '', row.pass === undefined ? '' : row.pass ? 'PASS' : 'FAIL', row.conditions]);
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((cell) => (column === 4 ? 0 : cell[column]!.length))));
  const line = (values: string[]) => values.map((value, column) => (column === 4 ? value : value.padEnd(widths[column]!))).join(' | ');
  const output: string[] = [line(headers), widths.map((width, column) => (column === 4 ? '-'.repeat(10) : '-'.repeat(width))).join('-|-')];
  let section = '';
  rows.forEach((row, index) => {
    if (row.section !== section) {
      section = row.section;
      output.push(`[${section}]`);
    }
    output.push(line(cells[index]!));
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
