import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { BUNDLE_BUDGET_KIB } from '../lib/shared/bundle-budgets.js';
import { ESM_REQUIRE_SHIM } from '../lib/shared/constructs/esm-require-shim.js';
import { REPO_ROOT } from './entries.js';
import { median, round } from './stats.js';

const run = promisify(execFile);

/** The functions whose bundles we measure, by the logical id prefix of their Lambda resource. */
export const FUNCTIONS = [
  { name: 'api', logicalIdPrefix: 'ApiFunction', stack: 'api' },
  { name: 'reconciler', logicalIdPrefix: 'ReconcilerFunction', stack: 'api' },
  { name: 'extraction', logicalIdPrefix: 'ExtractionFunction', stack: 'extraction' },
  { name: 'aggregator', logicalIdPrefix: 'TechStackAggregatorFunction', stack: 'api' },
] as const;

/** The file the extraction handler imports on its first record (lib/tag-extraction/tag-extraction-stack.ts). */
export const LAZY_FILE = 'adapters/openai-tag-extractor.js';

/** Largest ratio of a handler's module init time to its SDK-clients-only floor. */
export const MAX_INIT_RATIO = 1.1;

/**
 * The floor: what each of our handlers must load at init no matter what, i.e. the AWS SDK
 * clients it creates outside the handler. API and reconciler create DynamoDBClient +
 * DynamoDBDocumentClient + SQSClient (lambdas/contract/aws-clients.ts); the extraction creates the
 * same three (Secrets Manager comes lazily with the OpenAI SDK). So one floor serves all three.
 */
export const FLOOR_SOURCE = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqsClient = new SQSClient({});
export async function handler() {
  return { documentClient, sqsClient };
}
`;

/** The env a handler's validation needs at import; no network is touched at import. */
const INIT_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  TABLE_NAME: 'bench-entries',
  TAGS_TABLE_NAME: 'bench-tags',
  QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench-jobs',
  OPENAI_SECRET_ID: 'bench/openai-api-key',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
  // As deployed: LambdaFunction sets NODE_OPTIONS=--enable-source-maps on every function.
  NODE_OPTIONS: '--enable-source-maps',
};

/** Times `await import(bundle)` (and then the lazy file, if given) inside a fresh process. */
const RUNNER_SOURCE = `
const [bundle, lazy] = process.argv.slice(2);
const started = performance.now();
await import(bundle);
const initMs = performance.now() - started;
let lazyMs;
if (lazy) {
  const lazyStarted = performance.now();
  await import(lazy);
  lazyMs = performance.now() - lazyStarted;
}
process.stdout.write(JSON.stringify({ initMs, lazyMs }));
`;

/** Options of the cold-start section. */
export interface ColdStartOptions {
  /** Fresh processes per target (the median is reported). */
  runs: number;
}

/** One function's bundle and init time. */
export interface FunctionColdStart {
  name: (typeof FUNCTIONS)[number]['name'];
  assetDir: string;
  bundleBytes: number;
  /** MemorySize of the function in the synthesized template. */
  memoryMb: number;
  initMedianMs: number;
  initSamplesMs: number[];
  /** Median init time divided by the floor's (the target's measure). */
  initRatio: number;
  /** Median of the per-round ratios to the floor run next to it: a check on the noise. */
  pairedRatioMedian: number;
  bannerMatches: boolean;
}

/** Everything the cold-start section measured. */
export interface ColdStartResult {
  runs: number;
  synthMs: number;
  functions: FunctionColdStart[];
  floor: { bundleBytes: number; initMedianMs: number; initSamplesMs: number[] };
  lazy: { bundleBytes: number; importMedianMs: number; importSamplesMs: number[] };
  conditions: string;
  targets: { name: string; pass: boolean; detail: string }[];
}

/**
 * Synthesizes the app with bundling (as `cdk synth` does) into a temp dir, finds each function's
 * asset from the templates, builds the SDK-clients-only floor with the same esbuild options,
 * and times module init in fresh node processes, interleaving handlers and floor so machine
 * noise hits all of them alike.
 */
export async function measureColdStart(
  options: ColdStartOptions,
  log: (line: string) => void,
  registerCleanup: (cleanup: () => Promise<void>) => void = () => undefined,
): Promise<ColdStartResult> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'devlog-bench-cold-'));
  // Also removed by the bench's abort path, which exits before this function's finally runs.
  registerCleanup(() => rm(workDir, { recursive: true, force: true }));
  try {
    log('cold start: synthesizing with bundling (cdk-nag included) in a child process...');
    const synthStarted = performance.now();
    const assets = await synthesizeAndLocateAssets(path.join(workDir, 'cdk.out'));
    const synthMs = performance.now() - synthStarted;

    const floorFile = path.join(workDir, 'floor', 'index.mjs');
    await buildFloorBundle(floorFile);
    const runner = path.join(workDir, 'runner.mjs');
    await writeFile(runner, RUNNER_SOURCE);

    type Target = { name: string; bundle: string; lazy?: string };
    const targets: Target[] = [
      ...assets.map((asset) => ({
        name: asset.name,
        bundle: asset.bundle,
        ...(asset.name === 'extraction' ? { lazy: path.join(asset.assetDir, LAZY_FILE) } : {}),
      })),
      { name: 'floor', bundle: floorFile },
    ];
    const samples = new Map<string, number[]>(targets.map((target) => [target.name, []]));
    const lazySamples: number[] = [];

    log(`cold start: ${options.runs} fresh node processes per bundle, interleaved...`);
    // One untimed round first: the first read of each file from disk is not a cold start's cost.
    for (const target of targets) await timeImport(runner, target.bundle, target.lazy);
    for (let round = 0; round < options.runs; round++) {
      // Rotate the order each round so no target always runs right after the same one.
      const order = targets.map((_, index) => targets[(index + round) % targets.length]!);
      for (const target of order) {
        const { initMs, lazyMs } = await timeImport(runner, target.bundle, target.lazy);
        samples.get(target.name)!.push(initMs);
        if (lazyMs !== undefined) lazySamples.push(lazyMs);
      }
    }

    const floorMedian = median(samples.get('floor')!);
    const functions: FunctionColdStart[] = [];
    for (const asset of assets) {
      const initSamplesMs = samples.get(asset.name)!;
      const initMedianMs = median(initSamplesMs);
      const code = await readFile(asset.bundle, 'utf8');
      functions.push({
        name: asset.name,
        assetDir: path.basename(asset.assetDir),
        bundleBytes: (await stat(asset.bundle)).size,
        memoryMb: asset.memoryMb,
        initMedianMs: round(initMedianMs),
        initSamplesMs: initSamplesMs.map((value) => round(value)),
        initRatio: round(initMedianMs / floorMedian, 2),
        pairedRatioMedian: round(median(initSamplesMs.map((value, index) => value / samples.get('floor')![index]!)), 2),
        bannerMatches: code.startsWith(ESM_REQUIRE_SHIM),
      });
    }
    const extraction = assets.find((asset) => asset.name === 'extraction')!;
    const lazyFile = path.join(extraction.assetDir, LAZY_FILE);

    const result: ColdStartResult = {
      runs: options.runs,
      synthMs: round(synthMs, 0),
      functions,
      floor: {
        bundleBytes: (await stat(floorFile)).size,
        initMedianMs: round(floorMedian),
        initSamplesMs: samples.get('floor')!.map((value) => round(value)),
      },
      lazy: {
        bundleBytes: (await stat(lazyFile)).size,
        importMedianMs: round(median(lazySamples)),
        importSamplesMs: lazySamples.map((value) => round(value)),
      },
      conditions: `median of ${options.runs} fresh \`node\` processes each, NODE_OPTIONS=--enable-source-maps (as deployed), interleaved with the floor; bundles from a synth with bundling (esbuild ${await esbuildVersion()})`,
      targets: [],
    };
    result.targets = coldStartVerdicts(result);
    return result;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Pass/fail of the cold-start targets: each init <= 1.1x floor, each index.mjs within its budget (lib/shared/bundle-budgets.ts). */
export function coldStartVerdicts(result: Pick<ColdStartResult, 'functions' | 'floor'>): { name: string; pass: boolean; detail: string }[] {
  return result.functions.flatMap((fn) => [
    {
      name: `${fn.name} init <= ${MAX_INIT_RATIO}x floor`,
      pass: fn.initRatio <= MAX_INIT_RATIO,
      detail: `${fn.initMedianMs} ms vs floor ${result.floor.initMedianMs} ms = ${fn.initRatio}x`,
    },
    {
      name: `${fn.name} index.mjs <= ${BUNDLE_BUDGET_KIB[fn.name]} KiB`,
      pass: fn.bundleBytes <= BUNDLE_BUDGET_KIB[fn.name] * 1024,
      detail: `${kib(fn.bundleBytes)} KiB`,
    },
  ]);
}

/** Bytes as KiB with one decimal. */
export function kib(bytes: number): number {
  return round(bytes / 1024, 1);
}

/** A function's asset in the synthesized cloud assembly. */
export interface LocatedAsset {
  name: (typeof FUNCTIONS)[number]['name'];
  assetDir: string;
  bundle: string;
  memoryMb: number;
}

/** Runs bench/synth-assets.ts in a child process and returns the functions' assets it found. */
async function synthesizeAndLocateAssets(outdir: string): Promise<LocatedAsset[]> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench/synth-assets.ts'), outdir], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: '1' },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout) as LocatedAsset[];
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`synth failed: ${(error as Error).message}\n${stderr?.slice(-4000) ?? ''}`);
  }
}

/** Builds the floor with the esbuild options LambdaFunction uses (minified ESM for node24, SDK bundled). */
async function buildFloorBundle(outfile: string): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    stdin: { contents: FLOOR_SOURCE, resolveDir: REPO_ROOT, loader: 'ts', sourcefile: 'floor.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_SHIM },
    outfile,
    logLevel: 'warning',
  });
}

async function timeImport(runner: string, bundle: string, lazy?: string): Promise<{ initMs: number; lazyMs?: number }> {
  const args = [runner, pathToFileURL(bundle).href, ...(lazy ? [pathToFileURL(lazy).href] : [])];
  const { stdout } = await run(process.execPath, args, {
    cwd: path.dirname(bundle),
    env: { PATH: process.env.PATH ?? '', ...INIT_ENV },
    timeout: 30_000,
  });
  // The last line: a handler may log at init (the extraction's start line), as it does in Lambda.
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { initMs: number; lazyMs?: number };
}

async function esbuildVersion(): Promise<string> {
  const { version } = await import('esbuild');
  return version;
}
