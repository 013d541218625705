import * as z from 'zod/mini';

const EntryEventsEnvSchema = z.object({
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
});

/** The entry events publisher's configuration. */
export type EntryEventsEnv = z.infer<typeof EntryEventsEnvSchema>;

/** Reads and validates the publisher's environment once, at cold start. */
export function readEntryEventsEnv(env: NodeJS.ProcessEnv | Record<string, string | undefined>): EntryEventsEnv {
  return EntryEventsEnvSchema.parse(env);
}
