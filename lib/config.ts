import type { Node } from 'constructs';
import * as z from 'zod';

const StageConfigSchema = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'stage: lower-case letters, digits and dashes'),
  /** JWT issuer and audience of an existing identity provider; without them the stack creates a Cognito user pool. */
  jwtIssuer: z.url().optional(),
  jwtAudience: z.string().min(1).optional(),
  openAiModel: z.string().min(1).default('gpt-4o-mini'),
  /** Any OpenAI-compatible endpoint (Azure OpenAI, a vLLM gateway); the SDK default when unset. */
  openAiBaseUrl: z.url().optional(),
  /** Requests per minute of the OpenAI account tier, shared by all extraction invocations. */
  openAiRequestsPerMinute: z.coerce.number().int().positive().default(500),
  logRetentionDays: z.coerce.number().int().positive().default(30),
  apiThrottleRatePerSecond: z.coerce.number().positive().default(50),
  apiThrottleBurst: z.coerce.number().int().positive().default(100),
  /** SNS topic that receives alarm notifications; alarms are created either way. */
  alarmTopicArn: z.string().startsWith('arn:').optional(),
});

/** Per-stage settings of both stacks, from CDK context (`-c stage=prod -c openAiModel=...`). */
export type StageConfig = z.infer<typeof StageConfigSchema>;

/** Reads and validates the stage settings from the CDK context. */
export function readStageConfig(node: Node): StageConfig {
  const keys = Object.keys(StageConfigSchema.shape) as (keyof StageConfig)[];
  const raw = Object.fromEntries(keys.map((key) => [key, node.tryGetContext(key)]));
  const parsed = StageConfigSchema.safeParse({ ...raw, stage: raw.stage ?? 'dev' });
  if (!parsed.success) throw new Error(`Invalid CDK context: ${z.prettifyError(parsed.error)}`);
  const config = parsed.data;
  if ((config.jwtIssuer === undefined) !== (config.jwtAudience === undefined)) {
    throw new Error('Invalid CDK context: set jwtIssuer and jwtAudience together, or neither');
  }
  return config;
}
