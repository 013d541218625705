/*
 * The one price table of the bench's bill: us-east-1 list prices of AWS, each with the page it
 * comes from and when it was read (with the search tool; free tiers ignored). The model's prices
 * live with the model settings (lambdas/tag-extraction/model-settings.ts, modelPrice).
 */

/** One price: USD per unit, where it comes from, and when it was read. */
export interface Price {
  usd: number;
  unit: string;
  source: string;
  asOf: string;
}

const READ = '2026-12-07';

/** The AWS prices the bill uses. */
export interface PriceTable {
  region: string;
  httpApiRequest: Price;
  lambdaRequest: Price;
  lambdaArmGbSecond: Price;
  sqsRequest: Price;
  eventBridgeCustomEvent: Price;
  dynamoDbWriteUnit: Price;
  dynamoDbReadUnit: Price;
  logsIngestedGb: Price;
  xrayTraceRecorded: Price;
  secretsManagerCall: Price;
  secretMonth: Price;
  alarmMonth: Price;
  dashboardMonth: Price;
  dynamoDbStorageGbMonth: Price;
  dynamoDbPitrGbMonth: Price;
}

/** us-east-1 list prices, free tiers ignored. */
export const PRICES: PriceTable = {
  region: 'us-east-1',
  httpApiRequest: { usd: 1.0 / 1e6, unit: 'request (512 KB metered)', source: 'https://aws.amazon.com/api-gateway/pricing/', asOf: READ },
  lambdaRequest: { usd: 0.2 / 1e6, unit: 'invocation', source: 'https://aws.amazon.com/lambda/pricing/', asOf: READ },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second, arm64, first 7.5 billion a month',
    source: 'https://aws.amazon.com/lambda/pricing/',
    asOf: READ,
  },
  sqsRequest: { usd: 0.4 / 1e6, unit: 'request (each 64 KiB chunk)', source: 'https://aws.amazon.com/sqs/pricing/', asOf: READ },
  eventBridgeCustomEvent: {
    usd: 1.0 / 1e6,
    unit: 'custom event published (each 64 KB chunk)',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
    asOf: READ,
  },
  dynamoDbWriteUnit: {
    usd: 0.625 / 1e6,
    unit: 'write request unit, on-demand, standard class',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    asOf: READ,
  },
  dynamoDbReadUnit: {
    usd: 0.125 / 1e6,
    unit: 'read request unit, on-demand, standard class',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    asOf: READ,
  },
  logsIngestedGb: { usd: 0.5, unit: 'GB ingested, Standard log class', source: 'https://aws.amazon.com/cloudwatch/pricing/', asOf: READ },
  xrayTraceRecorded: { usd: 5.0 / 1e6, unit: 'trace recorded', source: 'https://aws.amazon.com/xray/pricing/', asOf: READ },
  secretsManagerCall: { usd: 0.05 / 1e4, unit: 'API call', source: 'https://aws.amazon.com/secrets-manager/pricing/', asOf: READ },
  secretMonth: { usd: 0.4, unit: 'secret-month', source: 'https://aws.amazon.com/secrets-manager/pricing/', asOf: READ },
  alarmMonth: {
    usd: 0.1,
    unit: 'standard-resolution alarm metric-month',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    asOf: READ,
  },
  dashboardMonth: { usd: 3.0, unit: 'dashboard-month', source: 'https://aws.amazon.com/cloudwatch/pricing/', asOf: READ },
  dynamoDbStorageGbMonth: { usd: 0.25, unit: 'GB-month stored', source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/', asOf: READ },
  dynamoDbPitrGbMonth: {
    usd: 0.2,
    unit: 'GB-month of point-in-time recovery',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    asOf: READ,
  },
};
