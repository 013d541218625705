import type { Node } from 'constructs';
import * as z from 'zod';
import { DEPLOYMENT_CONFIG_NAMES, type DeploymentConfigName, defaultDeploymentConfig } from '../tag-extraction/canary-release.js';
import { DEFAULT_DAILY_ENTRY_QUOTA } from '../../lambdas/devlog-api/domain/daily-quota.js';
import { DEFAULT_MAX_OPEN_WAITS_PER_USER } from '../../lambdas/devlog-api/domain/wait-for-entry.js';
import {
  DEFAULT_OPENAI_MODEL,
  DEFAULT_REASONING_EFFORT,
  DEFAULT_SERVICE_TIER,
  parseModelList,
  REASONING_EFFORTS,
  SERVICE_TIERS,
} from '../../lambdas/tag-extraction/model-settings.js';

const StageConfigSchema = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'stage: lower-case letters, digits and dashes'),
  /** JWT issuer and audience of an existing identity provider; without them the stack creates a Cognito user pool. */
  jwtIssuer: z.url().optional(),
  jwtAudience: z.string().min(1).optional(),
  openAiModel: z.string().min(1).default(DEFAULT_OPENAI_MODEL),
  /** Comma-separated models tried in order when `openAiModel` is gone. */
  openAiFallbackModels: z.string().optional().transform(parseModelList),
  /** `reasoning_effort` sent to reasoning models. */
  openAiReasoningEffort: z.enum(REASONING_EFFORTS).default(DEFAULT_REASONING_EFFORT),
  /** `service_tier` of the extraction: flex (half price, falling back to the standard tier when flex has no capacity) or default. */
  openAiServiceTier: z.enum(SERVICE_TIERS).default(DEFAULT_SERVICE_TIER),
  /** Any OpenAI-compatible endpoint (Azure OpenAI, a vLLM gateway); the SDK default when unset. */
  openAiBaseUrl: z.url().optional(),
  /** Requests per minute of the OpenAI account tier, shared by all extraction invocations. */
  openAiRequestsPerMinute: z.coerce.number().int().positive().default(500),
  logRetentionDays: z.coerce.number().int().positive().default(30),
  apiThrottleRatePerSecond: z.coerce.number().positive().default(50),
  apiThrottleBurst: z.coerce.number().int().positive().default(100),
  /** CodeDeploy's traffic shift of an extraction release; without it, by stage (defaultDeploymentConfig). */
  extractionDeploymentConfig: z
    .enum(DEPLOYMENT_CONFIG_NAMES, {
      error: `extractionDeploymentConfig: one of CodeDeploy's Lambda configs ${DEPLOYMENT_CONFIG_NAMES.join(', ')}`,
    })
    .optional(),
  /** Entries each user may create (POST or edit) per UTC day; over it the API answers 429. */
  dailyEntryQuota: z.coerce.number().int().positive().default(DEFAULT_DAILY_ENTRY_QUOTA),
  /** `Prefer: wait` GETs each user may hold open at once; over it the GET answers at once. */
  maxOpenWaitsPerUser: z.coerce.number().int().positive().default(DEFAULT_MAX_OPEN_WAITS_PER_USER),
  /** SNS topic that receives alarm notifications; without it the API stack creates one. */
  alarmTopicArn: z.string().startsWith('arn:').optional(),
  /** E-mail address subscribed to the alarm topic (it must confirm the subscription). */
  alarmEmail: z.email().optional(),
  /**
   * Where the Cognito hosted login may redirect after sign-in (comma-separated https URLs; http
   * only for localhost). Without them the app client has no OAuth flow at all, only SRP sign-in.
   */
  cognitoCallbackUrls: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url().refine(isCallbackUrl, 'callback URLs use https (http only for localhost)')).min(1))
    .optional(),
});

function isCallbackUrl(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || (protocol === 'http:' && hostname === 'localhost');
}

/** Per-stage settings of both stacks, from CDK context (`-c stage=prod -c openAiModel=...`). */
export type StageConfig = Omit<z.infer<typeof StageConfigSchema>, 'extractionDeploymentConfig'> & {
  extractionDeploymentConfig: DeploymentConfigName;
};

/** Reads and validates the stage settings from the CDK context. */
export function readStageConfig(node: Node): StageConfig {
  const keys = Object.keys(StageConfigSchema.shape) as (keyof StageConfig)[];
  const raw = Object.fromEntries(keys.map((key) => [key, node.tryGetContext(key)]));
  const parsed = StageConfigSchema.safeParse({ ...raw, stage: raw.stage ?? 'dev' });
  if (!parsed.success) throw new Error(`Invalid CDK context: ${z.prettifyError(parsed.error)}`);
  const { data } = parsed;
  if ((data.jwtIssuer === undefined) !== (data.jwtAudience === undefined)) {
    throw new Error('Invalid CDK context: set jwtIssuer and jwtAudience together, or neither');
  }
  return { ...data, extractionDeploymentConfig: data.extractionDeploymentConfig ?? defaultDeploymentConfig(data.stage) };
}
