import * as z from 'zod';

/** How far the candidate's micro F1 may fall below production's before the eval fails (F1 points). */
export const DEFAULT_MAX_REGRESSION = 0.02;

const ScoresSchema = z.object({ precision: z.number(), recall: z.number(), f1: z.number() });

/** What a comparison needs of a run: the `--json` report has it. */
const RunSchema = z.object({
  model: z.string().optional(),
  promptVersion: z.number().int().optional(),
  overall: ScoresSchema,
});

/** The model, prompt and micro scores of one eval run. */
export type RunScores = z.infer<typeof RunSchema>;

/** Reads a baseline written by `npm run eval -- --json`; throws with the file and what is wrong. */
export function parseBaseline(text: string, source: string): RunScores {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON (write it with npm run eval -- --json): ${(error as Error).message}`);
  }
  const parsed = RunSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${source} is not an eval report: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The verdict of a candidate against production. */
export interface Comparison {
  regressed: boolean;
  /** Lines for the report's end. */
  lines: string[];
}

/**
 * Compares a candidate (a new model or prompt) with production on the same data set: a fall of
 * micro F1 by more than `maxRegression` is a regression. Precision and recall are shown so a
 * reviewer sees which way it moved.
 */
export function compareRuns(candidate: RunScores, production: RunScores & { source: string }, maxRegression: number): Comparison {
  const name = (run: RunScores) =>
    `${run.model ?? 'unknown model'}${run.promptVersion === undefined ? '' : `, prompt v${run.promptVersion}`}`;
  const delta = (metric: keyof RunScores['overall']) => {
    const difference = candidate.overall[metric] - production.overall[metric];
    return `${metric.padEnd(9)} ${candidate.overall[metric].toFixed(3)} vs ${production.overall[metric].toFixed(3)} (${difference >= 0 ? '+' : ''}${difference.toFixed(3)})`;
  };
  const fall = production.overall.f1 - candidate.overall.f1;
  const regressed = fall > maxRegression;
  return {
    regressed,
    lines: [
      `Candidate (${name(candidate)}) vs production (${name(production)}, ${production.source}):`,
      `  ${delta('precision')}`,
      `  ${delta('recall')}`,
      `  ${delta('f1')}`,
      regressed
        ? `REGRESSION: F1 falls by ${fall.toFixed(3)}, more than the allowed ${maxRegression}`
        : `No regression: F1 ${fall > 0 ? `falls by ${fall.toFixed(3)}, within` : 'holds or rises, within'} the allowed ${maxRegression}`,
    ],
  };
}
