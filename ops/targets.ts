import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import OpenAI from 'openai';
import { REASONING_EFFORTS, type ReasoningEffort } from '../lambdas/tag-extraction/model-settings.js';
import { consumerParameterPaths, type PublishedBackfillSettings, sharedParameterPaths } from '../lib/shared/ssm-parameters.js';

/** Where an ops script acts: a deployed stage, or the running local stack. */
export interface OpsTarget {
  kind: 'aws' | 'local';
  tableName: string;
  queueUrl: string;
  dlqUrl: string;
  dlqArn: string;
  documentClient: DynamoDBDocumentClient;
  sqsClient: SQSClient;
  /** What the backfill uses (the ledger, OpenAI, the live model settings); resolved only when asked for. */
  backfill(): Promise<BackfillAccess>;
}

/** Where a backfill records its batches and whom it asks, with the live extraction's model settings. */
export interface BackfillAccess {
  ledgerTableName: string;
  openAi: OpenAI;
  model: string;
  reasoningEffort: ReasoningEffort;
}

/** How the local stack's backfill reaches its model server and ledger (part of endpoints.json). */
export interface LocalBackfillEndpoints {
  ledgerTableName: string;
  openAiBaseUrl?: string;
  secretsManagerEndpoint: string;
  openAiSecretId: string;
  model: string;
  reasoningEffort: string;
}

/** What the local stack writes to `<DATA_DIR>/endpoints.json` once it is ready. */
export interface LocalEndpoints {
  region: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  queueUrl: string;
  dlqUrl: string;
  dlqArn: string;
  backfill: LocalBackfillEndpoints;
}

/** Name of the file, inside DATA_DIR, where the running local stack publishes its endpoints. */
export const LOCAL_ENDPOINTS_FILE = 'endpoints.json';

/** Resolves a deployed stage through the SSM parameters the API stack publishes. */
export async function awsTarget(stage: string): Promise<OpsTarget> {
  const paths = sharedParameterPaths(stage);
  const ssm = new SSMClient({});
  const { Parameters = [], InvalidParameters = [] } = await ssm.send(
    new GetParametersCommand({ Names: [paths.tableName, paths.queueUrl, paths.dlqUrl, paths.dlqArn] }),
  );
  if (InvalidParameters.length > 0) {
    throw new Error(`stage '${stage}' is not deployed here (missing ${InvalidParameters.join(', ')})`);
  }
  const value = (name: string) => Parameters.find((parameter) => parameter.Name === name)?.Value ?? '';
  return {
    kind: 'aws',
    tableName: value(paths.tableName),
    queueUrl: value(paths.queueUrl),
    dlqUrl: value(paths.dlqUrl),
    dlqArn: value(paths.dlqArn),
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    sqsClient: new SQSClient({}),
    async backfill() {
      const name = consumerParameterPaths(stage).backfill;
      const value = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
      if (!value) throw new Error(`stage '${stage}' publishes no backfill settings (${name}): deploy the extraction stack`);
      const published = JSON.parse(value) as PublishedBackfillSettings;
      const apiKey = await readSecret(new SecretsManagerClient({}), published.openAiSecretArn);
      return {
        ledgerTableName: published.ledgerTableName,
        openAi: new OpenAI({ apiKey, baseURL: published.openAiBaseUrl }),
        model: published.model,
        reasoningEffort: reasoningEffortOf(published.reasoningEffort),
      };
    },
  };
}

/** Reads a plain-string secret (the OpenAI key) as the extraction function does. */
async function readSecret(client: SecretsManagerClient, secretId: string): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new Error(`secret ${secretId} is empty`);
  return SecretString;
}

function reasoningEffortOf(value: string): ReasoningEffort {
  const effort = REASONING_EFFORTS.find((candidate) => candidate === value);
  if (!effort) throw new Error(`unknown reasoning effort ${value}`);
  return effort;
}

/** Resolves the local stack running on DATA_DIR from the endpoints file it wrote at start. */
export function localTarget(dataDir: string): OpsTarget {
  const file = join(dataDir, LOCAL_ENDPOINTS_FILE);
  let endpoints: LocalEndpoints;
  try {
    endpoints = JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
  } catch {
    throw new Error(`no local stack found (${file} is missing): start it with npm start`);
  }
  const common = {
    region: endpoints.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  return {
    kind: 'local',
    tableName: endpoints.tableName,
    queueUrl: endpoints.queueUrl,
    dlqUrl: endpoints.dlqUrl,
    dlqArn: endpoints.dlqArn,
    documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({ ...common, endpoint: endpoints.dynamodbEndpoint })),
    sqsClient: new SQSClient({ ...common, endpoint: endpoints.sqsEndpoint }),
    async backfill() {
      const { backfill } = endpoints;
      const secrets = new SecretsManagerClient({ ...common, endpoint: backfill.secretsManagerEndpoint });
      try {
        return {
          ledgerTableName: backfill.ledgerTableName,
          openAi: new OpenAI({ apiKey: await readSecret(secrets, backfill.openAiSecretId), baseURL: backfill.openAiBaseUrl }),
          model: backfill.model,
          reasoningEffort: reasoningEffortOf(backfill.reasoningEffort),
        };
      } finally {
        secrets.destroy();
      }
    },
  };
}
