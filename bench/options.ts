import { parseArgs } from 'node:util';

/** The sections of the bench, in the order they run. */
export const SECTIONS = ['decoupling', 'drain', 'cold-start', 'cost'] as const;
/** One section of the bench. */
export type Section = (typeof SECTIONS)[number];

/** What `npm run bench -- ...` asked for. */
export interface BenchOptions {
  sections: Section[];
  quick: boolean;
  help: boolean;
}

/** Usage text of `npm run bench`. */
export const USAGE = `Usage: npm run bench [-- --only decoupling,drain,cold-start,cost] [--quick]

Measures POST latency with a fast and a slow model (decoupling), backlog drain rate (drain),
bundle sizes and module init time (cold-start), and the cost of 1M entries (cost), prints a
table with the conditions of every figure and writes bench/results/<timestamp>.json.
  --only   comma-separated sections (default: all)
  --quick  smaller counts, for a smoke test (figures are noisier)`;

/** Parses the bench's command line; throws with a clear message on an unknown option or section. */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: { only: { type: 'string' }, quick: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
  });
  const requested = values.only === undefined ? [...SECTIONS] : values.only.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = requested.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
  if (requested.length === 0) throw new Error(`--only needs at least one of ${SECTIONS.join(', ')}`);
  return { sections: SECTIONS.filter((section) => requested.includes(section)), quick: values.quick ?? false, help: values.help ?? false };
}
