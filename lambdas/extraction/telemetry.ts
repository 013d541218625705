/** Names the extraction's logs and metrics carry; the stack's alarms and dashboards read them from here. */
export const EXTRACTION_TELEMETRY = {
  namespace: 'DevLogTags',
  serviceName: 'tag-extraction',
  /** Days until a model in use shuts down (dimension `Model`), published once per container. */
  daysToModelShutdownMetric: 'DaysToModelShutdown',
  /** A gone model was left for a fallback (dimension `Model`: the gone one). */
  modelFallbacksMetric: 'ModelFallbacks',
} as const;

/** The lifecycle alarm fires when a model in use shuts down in fewer days than this. */
export const MODEL_SHUTDOWN_ALARM_DAYS = 30;
