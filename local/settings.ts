import path from 'node:path';
import { z } from 'zod';
import { CONSUMER_SETTINGS, QUEUE_SETTINGS, reconcileGraceSeconds } from '../lambdas/contract/index.js';
import { UsageError } from '../tools/shared/cli.js';

/*
 * Local-only knobs. Everything the deployed system also has (batch size, concurrency,
 * visibility timeout, maxReceiveCount) is read from lambdas/contract, never repeated here.
 */

/** The local stack's own settings: every variable it reads from the environment. */
export const LocalSettingsSchema = z.object({
  /** Port of the local API; 0 picks a free one (tests). */
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  /** Where the table, the JWT signing key and other state live between runs. */
  DATA_DIR: z.string().min(1).default('.devstack'),
  /** First retry delay of a failed extraction; AWS uses 10 s, locally we don't want to wait. */
  RETRY_BASE_SECONDS: z.coerce.number().positive().default(2),
  /** Longest retry delay locally. */
  RETRY_MAX_SECONDS: z.coerce.number().positive().default(60),
  /** How often the reconciler runs (every 5 minutes in AWS). */
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().positive().default(60),
  /**
   * Age of a pending entry's job before the reconciler re-sends it; by default derived from the
   * retry and timeout settings (localReconcileGraceSeconds), so a job still being retried is never re-sent.
   */
  RECONCILE_GRACE_SECONDS: z.coerce.number().int().positive().optional(),
  /**
   * Visibility timeout of the local jobs queue; the contract's 360 s when unset, as in AWS.
   * Only for tests that cannot wait six minutes for a message whose handler died: below six
   * times the function timeout (60 s) a slow batch may be delivered twice, which the consumer
   * tolerates but AWS guidance forbids for the deployed queue.
   */
  VISIBILITY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(43_200).optional(),
  /**
   * Timeout the local event source mapping enforces on the extraction function (and tells it);
   * the contract's 60 s when unset, as in AWS. Only for fault tests that cannot wait for the
   * deadlines of a 60 s invocation; the function refuses one too short for its reserve.
   */
  EXTRACTION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(900).optional(),
  /** Entries each user may create per UTC day (as context dailyEntryQuota deployed); the API's default when unset. */
  DAILY_ENTRY_QUOTA: z.coerce.number().int().positive().optional(),
  /** `Prefer: wait` GETs each user may hold open at once (as context maxOpenWaitsPerUser deployed); the API's default when unset. */
  MAX_OPEN_WAITS_PER_USER: z.coerce.number().int().positive().optional(),
  /**
   * Where the local stack POSTs every entry event (EntryTagged ...) as JSON, retrying failures
   * like an EventBridge API destination; the events are in <DATA_DIR>/events.jsonl either way.
   */
  LOCAL_EVENTS_URL: z.url().optional(),
  /** Level of the handlers' Powertools logs (request and batch lines are always printed). */
  LOG_LEVEL: z
    .string()
    .transform((level) => level.toUpperCase())
    .pipe(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']))
    .default('INFO'),
  /** A real OpenAI key; without it and without OPENAI_BASE_URL the offline stand-in answers. */
  OPENAI_API_KEY: z.string().min(1).optional(),
  /** Any OpenAI-compatible server (Ollama, vLLM, a test double). */
  OPENAI_BASE_URL: z.url().optional(),
  /** Model name sent to the server; the extraction handler's default when unset. */
  OPENAI_MODEL: z.string().min(1).optional(),
  /** Comma-separated models tried in order when OPENAI_MODEL is gone (as context openAiFallbackModels deployed). */
  OPENAI_FALLBACK_MODELS: z.string().min(1).optional(),
  /** `reasoning_effort` of reasoning models; the extraction handler's default when unset. */
  OPENAI_REASONING_EFFORT: z.string().min(1).optional(),
  /** `service_tier` of the extraction (flex or default); the extraction handler's default (flex) when unset. */
  OPENAI_SERVICE_TIER: z.string().min(1).optional(),
});

/** The local stack's own settings, read from the environment. */
export type LocalSettings = Omit<z.infer<typeof LocalSettingsSchema>, 'DATA_DIR'> & {
  /** Absolute path of the data directory. */
  DATA_DIR: string;
};

/**
 * Reads and validates the local settings; empty strings count as unset, like most shells mean
 * them. A bad value is a UsageError naming the variable, its value and what is wrong, on one line.
 */
export function readLocalSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LocalSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = LocalSettingsSchema.safeParse(present);
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues.map((issue) => `${String(issue.path[0])}=${present[String(issue.path[0])]}: ${issue.message}`).join('; '),
    );
  }
  return { ...parsed.data, DATA_DIR: path.resolve(cwd, parsed.data.DATA_DIR) };
}

/**
 * The local reconciler's grace: RECONCILE_GRACE_SECONDS when set, otherwise the contract's
 * derivation from the local visibility timeout, backoff maximum and (local) extraction timeout.
 */
export function localReconcileGraceSeconds(settings: LocalSettings): number {
  return (
    settings.RECONCILE_GRACE_SECONDS ??
    reconcileGraceSeconds({
      functionTimeoutSeconds: settings.EXTRACTION_TIMEOUT_SECONDS ?? CONSUMER_SETTINGS.functionTimeoutSeconds,
      visibilityTimeoutSeconds: settings.VISIBILITY_TIMEOUT_SECONDS ?? QUEUE_SETTINGS.visibilityTimeoutSeconds,
      retryMaxSeconds: settings.RETRY_MAX_SECONDS,
      maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount,
    })
  );
}

/** Fixed names of the local resources; they only need to be stable between runs. */
export const LOCAL_RESOURCES = {
  region: 'us-east-1',
  accountId: '000000000000',
  tableName: 'devlog-entries',
  /** The aggregator's tags table (the tech-stack totals and the tag index). */
  tagsTableName: 'devlog-tags-local',
  /** The backfill's ledger of submitted batches (the extraction stack's BackfillBatches table). */
  backfillLedgerTableName: 'devlog-backfill-batches',
  jobsQueueName: 'devlog-jobs',
  deadLetterQueueName: 'devlog-jobs-dlq',
  openAiSecretId: 'devlog-tags/openai-api-key',
  /** The bus the entry events go to (the stage's devlog-tags-<stage> in AWS). */
  eventBusName: 'devlog-tags-local',
  /** Files of the data directory: every entry event, and those LOCAL_EVENTS_URL never took. */
  eventsFile: 'events.jsonl',
  eventsDeadLetterFile: 'events-dlq.jsonl',
  /** Credentials the emulators accept; any non-empty value works. */
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/** The key the offline stand-in and keyless OpenAI-compatible servers (Ollama) get. */
export const DUMMY_OPENAI_API_KEY = 'sk-local-dummy-key';

/** Marks a directory as the local stack's, so `--reset` never wipes a directory it did not create. */
export const DATA_DIR_MARKER = 'devstack.json';
