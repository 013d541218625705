/*
 * The one price table of the cost model. us-east-1 LIST PRICES AS THE AUTHOR KNEW THEM
 * (from training knowledge, last updated 2025; not fetched: this machine has no network).
 * Free tiers are ignored. Check https://aws.amazon.com/pricing and https://openai.com/api/pricing
 * before quoting a figure, and update `asOf` with any change.
 */

/** Unit prices in USD. */
export interface PriceTable {
  region: string;
  /** Where the figures come from and when; printed with every cost. */
  source: string;
  asOf: string;
  /** API Gateway HTTP API, per million requests (first 300 million a month; 512 KB metering units). */
  httpApiPerMillionRequests: number;
  /** Lambda on arm64 (Graviton), per GB-second of duration (first 7.5 billion GB-s a month). */
  lambdaArmPerGbSecond: number;
  /** Lambda, per million requests (invocations). */
  lambdaPerMillionRequests: number;
  /** SQS standard queue, per million requests (each 64 KB chunk of a request is one request). */
  sqsStandardPerMillionRequests: number;
  /** DynamoDB on-demand, standard table class, per million write request units. */
  dynamoDbPerMillionWriteUnits: number;
  /** DynamoDB on-demand, standard table class, per million read request units. */
  dynamoDbPerMillionReadUnits: number;
  /** CloudWatch Logs ingestion, Standard log class, per GB. */
  cloudWatchLogsIngestPerGb: number;
  /** Secrets Manager, per 10,000 API calls. */
  secretsManagerPer10kCalls: number;
  /** AWS X-Ray, per million traces recorded (the stacks enable active tracing). */
  xrayPerMillionTracesRecorded: number;
  /** OpenAI gpt-4o-mini, per million input tokens (uncached). */
  openAiGpt4oMiniInputPerMillionTokens: number;
  /** OpenAI gpt-4o-mini, per million output tokens. */
  openAiGpt4oMiniOutputPerMillionTokens: number;
  /** Monthly fixed costs that do not scale with entries (reported apart from the per-entry cost). */
  monthly: {
    secretsManagerPerSecret: number;
    cloudWatchAlarmStandard: number;
    dynamoDbStoragePerGb: number;
    dynamoDbPitrPerGb: number;
  };
}

/** us-east-1 list prices as known to the author (training knowledge, 2025), free tiers ignored. */
export const PRICES: PriceTable = {
  region: 'us-east-1',
  source: 'list prices from the author\'s knowledge (not fetched), free tiers ignored',
  asOf: '2025',
  httpApiPerMillionRequests: 1.0,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  sqsStandardPerMillionRequests: 0.4,
  // The on-demand prices after AWS halved them in November 2024.
  dynamoDbPerMillionWriteUnits: 0.625,
  dynamoDbPerMillionReadUnits: 0.125,
  cloudWatchLogsIngestPerGb: 0.5,
  secretsManagerPer10kCalls: 0.05,
  xrayPerMillionTracesRecorded: 5.0,
  openAiGpt4oMiniInputPerMillionTokens: 0.15,
  openAiGpt4oMiniOutputPerMillionTokens: 0.6,
  monthly: {
    secretsManagerPerSecret: 0.4,
    cloudWatchAlarmStandard: 0.1,
    dynamoDbStoragePerGb: 0.25,
    dynamoDbPitrPerGb: 0.2,
  },
};
