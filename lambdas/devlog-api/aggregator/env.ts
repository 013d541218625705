import * as z from 'zod/mini';

const AggregatorEnvSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  TAGS_TABLE_NAME: z.string().check(z.minLength(1)),
});

/** The tech-stack aggregator's configuration. */
export type AggregatorEnv = z.infer<typeof AggregatorEnvSchema>;

/** Reads and validates the aggregator's environment once, at cold start. */
export function readAggregatorEnv(env: NodeJS.ProcessEnv): AggregatorEnv {
  return AggregatorEnvSchema.parse(env);
}
