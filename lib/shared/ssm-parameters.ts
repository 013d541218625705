/**
 * The SSM parameters through which the API stack hands its resources to the extraction stack.
 * Documented in the README; changing a path is a breaking change for the extraction team.
 */
export function sharedParameterPaths(stage: string) {
  const base = `/devlog-tags/${stage}`;
  return {
    tableName: `${base}/entries-table/name`,
    tableArn: `${base}/entries-table/arn`,
    queueUrl: `${base}/jobs-queue/url`,
    queueArn: `${base}/jobs-queue/arn`,
    dlqUrl: `${base}/jobs-dlq/url`,
    dlqArn: `${base}/jobs-dlq/arn`,
    alarmTopicArn: `${base}/alarm-topic/arn`,
    /** The bus of the entry events (EntryTagged, EntryTaggingFailed, EntryDeleted) the product's other prompts consume. */
    eventBusName: `${base}/event-bus/name`,
    eventBusArn: `${base}/event-bus/arn`,
  } as const;
}

/**
 * The SSM parameters the extraction stack publishes for the API stack. Kept apart from
 * sharedParameterPaths because their owner is the other team.
 */
export function consumerParameterPaths(stage: string) {
  return {
    /** The job message versions the deployed consumer accepts (`1,2`); producers send the newest they share. */
    acceptedJobMessageVersions: `/devlog-tags/${stage}/extraction/accepted-job-message-versions`,
    /** What `npm run backfill` needs of the stage, as JSON (PublishedBackfillSettings). */
    backfill: `/devlog-tags/${stage}/extraction/backfill`,
  } as const;
}

/**
 * The backfill settings the extraction stack publishes: its ledger table, the OpenAI key's
 * secret, and the live extraction's model settings, so `npm run backfill` builds its requests
 * as the deployed function does.
 */
export interface PublishedBackfillSettings {
  ledgerTableName: string;
  openAiSecretArn: string;
  openAiBaseUrl?: string;
  model: string;
  reasoningEffort: string;
}
