import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type JobMessageVersionSource,
  sameCheckoutJobMessageVersion,
  ssmJobMessageVersion,
} from '../lambdas/api/adapters/consumer-versions.js';
import { consumerParameterPaths, sharedParameterPaths } from '../lib/ssm-parameters.js';

/** Where an ops script acts: a deployed stage, or the running local stack. */
export interface OpsTarget {
  kind: 'aws' | 'local';
  tableName: string;
  queueUrl: string;
  dlqUrl: string;
  dlqArn: string;
  documentClient: DynamoDBDocumentClient;
  sqsClient: SQSClient;
  /** The job message version to send, from the same source as the API's (lambdas/api/adapters/consumer-versions.ts). */
  jobMessageVersion: JobMessageVersionSource;
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
    // What the deployed consumer publishes it accepts; the baseline while it publishes nothing.
    jobMessageVersion: ssmJobMessageVersion({
      parameterName: consumerParameterPaths(stage).acceptedJobMessageVersions,
      readParameter: async (name) => (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value,
      logger: { warn: (message) => process.stderr.write(`${message}\n`) },
    }),
  };
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
    documentClient: DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...common, endpoint: endpoints.dynamodbEndpoint }),
    ),
    sqsClient: new SQSClient({ ...common, endpoint: endpoints.sqsEndpoint }),
    // The local stack's consumer runs from this checkout.
    jobMessageVersion: sameCheckoutJobMessageVersion,
  };
}
