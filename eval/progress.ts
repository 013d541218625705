/** The part of a stream a progress bar needs (process.stderr fits). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** A progress bar: `update(done, total)` after each step, `finish()` once at the end. */
export interface ProgressBar {
  update(done: number, total: number): void;
  finish(): void;
}

/**
 * A one-line progress bar on stderr, redrawn in place on a terminal. Hand-written (a few lines)
 * rather than a dependency. Off a terminal (CI logs) it prints a line at each quarter instead of
 * hundreds of carriage returns.
 */
export function createProgressBar(stream: ProgressStream, label: string): ProgressBar {
  let lastQuarter = -1;
  let drawn = false;
  return {
    update(done, total) {
      const fraction = total === 0 ? 1 : done / total;
      if (stream.isTTY) {
        const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 24));
        const filled = Math.round(fraction * width);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${percent(fraction)}`);
        drawn = true;
        return;
      }
      const quarter = Math.floor(fraction * 4);
      if (quarter > lastQuarter) {
        lastQuarter = quarter;
        stream.write(`${label}: ${done}/${total} ${percent(fraction)}\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\n');
    },
  };
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`.padStart(4);
}
