import { parseCommandLine, UsageError } from '../tools/shared/cli.js';

/** The sections of the bench, in the order they run. */
export const SECTIONS = ['decoupling', 'drain', 'cold-start', 'cost', 'aggregator-scale'] as const;
/** One section of the bench. */
export type Section = (typeof SECTIONS)[number];

/** What `npm run bench -- ...` asked for. */
export interface BenchOptions {
  sections: Section[];
  quick: boolean;
  /** Print one JSON object (the results) on stdout instead of the table. */
  json: boolean;
  /** Also rewrite the committed chart the README shows (bench/results/latest.svg). */
  updateChart: boolean;
}

/** Usage text of `npm run bench`. */
export const USAGE = `Usage: npm run bench [-- --only decoupling,drain,cold-start,cost,aggregator-scale] [--quick] [--json] [--update-chart]

Measures POST latency with a fast and a slow model (decoupling), backlog drain rate (drain),
bundle sizes and module init time (cold-start), the bill of 1M entries from a metered run
(cost), and the aggregator's DynamoDB units per change at 10, 1,000 and 10,000 entries of a tag
(aggregator-scale), prints a table with the conditions of every figure and writes
bench/results/<timestamp>.json and .svg (git ignores both).
  --only          comma-separated sections (default: all)
  --quick         smaller counts, for a smoke test (figures are noisier)
  --json          print one JSON object (with one section, its result) instead of the table
  --update-chart  also rewrite bench/results/latest.svg, the chart the README shows`;

/** Parses the bench's command line; a UsageError names an unknown option or section. */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseCommandLine({
    args: argv,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'update-chart': { type: 'boolean', default: false },
    },
  });
  const requested =
    values.only === undefined
      ? [...SECTIONS]
      : values.only
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
  const unknown = requested.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new UsageError(`unknown section ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
  if (requested.length === 0) throw new UsageError(`--only needs at least one of ${SECTIONS.join(', ')}`);
  return {
    sections: SECTIONS.filter((section) => requested.includes(section)),
    quick: values.quick ?? false,
    json: values.json ?? false,
    updateChart: values['update-chart'] ?? false,
  };
}
