import { parseCommandLine, UsageError } from '../tools/shared/cli.js';
import { DEFAULT_MAX_REGRESSION } from './compare.js';

/** The command line of `npm run eval`. */
export interface EvalOptions {
  extractor: 'offline' | 'openai';
  /** Exit non-zero when micro F1 is below this (0..1). */
  threshold?: number;
  /** Evaluate only the first N entries. */
  limit?: number;
  dataset: string;
  concurrency: number;
  /** Prompt version for the openai extractor; undefined means the latest. */
  promptVersion?: number;
  /** Print the report as JSON instead of text. */
  json: boolean;
  /** A candidate model to compare with production (implies the openai extractor). */
  model?: string;
  /** A `--json` report of production to compare with, instead of running the production model. */
  baseline?: string;
  /** Largest allowed fall of micro F1 against production. */
  maxRegression: number;
}

/** Usage text for --help and usage errors. */
export const USAGE = `Usage: npm run eval -- [options]

  --extractor offline|openai  offline: the local dictionary model (default); openai: the Lambda's
                              OpenAI adapter, configured by OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL
  --threshold F1              exit 1 when micro F1 is below F1 (0..1), e.g. 0.8
  --limit N                   evaluate only the first N entries
  --dataset PATH              JSONL data set (default eval/devlogs.jsonl)
  --concurrency N             entries extracted at the same time (default 1 offline, 4 openai)
  --prompt-version N          prompt version for --extractor openai (default: the latest)
  --json                      print the report as JSON
  --model NAME                candidate model (implies --extractor openai): compares it with production
                              and exits 1 when micro F1 falls by more than --max-regression
  --baseline PATH             production's scores from an earlier --json report (default: run the
                              production model, OPENAI_MODEL or the extraction's default, now)
  --max-regression F1         allowed fall of micro F1 against production (default ${DEFAULT_MAX_REGRESSION})
  --help                      show this text`;

/** Parses and checks the command line (without the node and script arguments). */
export function parseEvalOptions(argv: readonly string[]): EvalOptions {
  const { values } = parseCommandLine({
    args: [...argv],
    options: {
      extractor: { type: 'string', default: 'offline' },
      threshold: { type: 'string' },
      limit: { type: 'string' },
      dataset: { type: 'string', default: 'eval/devlogs.jsonl' },
      concurrency: { type: 'string' },
      'prompt-version': { type: 'string' },
      json: { type: 'boolean', default: false },
      model: { type: 'string' },
      baseline: { type: 'string' },
      'max-regression': { type: 'string' },
    },
  });
  const model = values.model?.trim() || undefined;
  if (values.model !== undefined && !model) throw new UsageError('--model needs a model name');
  if (model && values.extractor === 'offline' && argvNames(argv).includes('--extractor')) {
    throw new UsageError('--model compares an OpenAI-compatible model; it does not go with --extractor offline');
  }
  const extractor = model ? 'openai' : values.extractor;
  if (extractor !== 'offline' && extractor !== 'openai') {
    throw new UsageError(`--extractor must be offline or openai, not ${extractor}`);
  }
  const threshold = optionalNumber('--threshold', values.threshold);
  if (threshold !== undefined && (threshold < 0 || threshold > 1)) {
    throw new UsageError('--threshold is an F1 between 0 and 1');
  }
  return {
    extractor,
    threshold,
    limit: optionalPositiveInteger('--limit', values.limit),
    dataset: values.dataset,
    concurrency: optionalPositiveInteger('--concurrency', values.concurrency) ?? (extractor === 'openai' ? 4 : 1),
    promptVersion: optionalPositiveInteger('--prompt-version', values['prompt-version']),
    json: values.json,
    model,
    baseline: values.baseline,
    maxRegression: optionalFraction('--max-regression', values['max-regression']) ?? DEFAULT_MAX_REGRESSION,
  };
}

function argvNames(argv: readonly string[]): string[] {
  return argv.map((arg) => arg.split('=')[0] ?? arg);
}

function optionalFraction(flag: string, value: string | undefined): number | undefined {
  const number = optionalNumber(flag, value);
  if (number !== undefined && (number < 0 || number > 1)) throw new UsageError(`${flag} is an F1 difference between 0 and 1`);
  return number;
}

function optionalNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new UsageError(`${flag} needs a number, not ${value}`);
  return number;
}

function optionalPositiveInteger(flag: string, value: string | undefined): number | undefined {
  const number = optionalNumber(flag, value);
  if (number !== undefined && (!Number.isInteger(number) || number < 1)) {
    throw new UsageError(`${flag} needs a positive whole number, not ${value}`);
  }
  return number;
}
