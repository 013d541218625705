/** Names the extraction's logs and metrics carry; the stack's alarms and dashboards read them from here. */
export const EXTRACTION_TELEMETRY = {
  namespace: 'DevLogTags',
  serviceName: 'tag-extraction',
  /**
   * The function version a metric came from (AWS_LAMBDA_FUNCTION_VERSION), named like AWS/Lambda's
   * own dimension. Every batch metric is published per service and per service + version: alias
   * routing is weighted per invocation, so only the per-version series can judge a canary.
   */
  versionDimension: 'ExecutedVersion',
  /** Days until a model in use shuts down (dimension `Model`), published once per container. */
  daysToModelShutdownMetric: 'DaysToModelShutdown',
  /** A gone model was left for a fallback (dimension `Model`: the gone one). */
  modelFallbacksMetric: 'ModelFallbacks',
} as const;

/** The metrics of a batch, published per service and per version (Count unless said otherwise). */
export const EXTRACTION_METRICS = {
  /** Records the function was handed. */
  recordsProcessed: 'RecordsProcessed',
  /** Records reported back as failed (retried, or on their way to the DLQ). */
  recordsFailed: 'RecordsFailed',
  invalidJobMessages: 'InvalidJobMessages',
  entriesTagged: 'EntriesTagged',
  entriesAlreadyDone: 'EntriesAlreadyDone',
  entriesMissing: 'EntriesMissing',
  /** Entries edited since their job was sent: the job's text is no longer theirs. */
  entriesSuperseded: 'EntriesSuperseded',
  entriesLostRace: 'EntriesLostRace',
  /** Entries given up on and marked `failed`. */
  entriesFailed: 'EntriesFailed',
  answersTruncated: 'AnswersTruncated',
  extractionRetries: 'ExtractionRetries',
  recordDeadlinesPassed: 'RecordDeadlinesPassed',
  jobsDeferredByCircuit: 'JobsDeferredByCircuit',
  /** Tags the model answered, before post-processing. */
  tagsProposed: 'TagsProposed',
  /** Proposed tags dropped because the entry text does not name them. */
  ungroundedTagsDropped: 'UngroundedTagsDropped',
  inputTokens: 'InputTokens',
  outputTokens: 'OutputTokens',
  /** Duration of the model call that answered, in milliseconds. */
  modelLatency: 'ModelLatency',
} as const;

/** The lifecycle alarm fires when a model in use shuts down in fewer days than this. */
export const MODEL_SHUTDOWN_ALARM_DAYS = 30;
