import 'aws-sdk-client-mock-vitest/extend';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, GetParametersCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACCEPTED_JOB_MESSAGE_VERSIONS, type JobMessageVersion } from '../../../lambdas/contract/index.js';
import { backfillEntries } from '../../../ops/backfill-entries.js';
import { awsTarget, localTarget } from '../../../ops/targets.js';
import { testTempDir } from '../../support/temp-root.js';

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const ssm = mockClient(SSMClient);
const savedRegion = process.env.AWS_REGION;
process.env.AWS_REGION = 'eu-central-1';
afterAll(() => {
  process.env.AWS_REGION = savedRegion;
});

beforeEach(() => {
  ddb.reset();
  sqs.reset();
  ssm.reset();
  ddb.on(ScanCommand).resolves({
    Items: [
      { id: '01JDQ8Z6X4M1V9T3K7N2P5R8WA', ownerId: 'user-a', revision: 3 },
      { id: '01JDQ8Z6X4M1V9T3K7N2P5R8WB', ownerId: 'user-a' },
    ],
    ScannedCount: 2,
  });
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
});

async function backfillWith(version: () => Promise<JobMessageVersion>) {
  await backfillEntries(DynamoDBDocumentClient.from(new DynamoDBClient({})), new SQSClient({}), {
    tableName: 'entries',
    queueUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/jobs',
    since: new Date('2026-01-01T00:00:00Z'),
    promptVersion: 2,
    jobsPerSecond: 1000,
    jobMessageVersion: version,
    onCheckpoint: vi.fn(),
  });
  return sqs.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []).map((entry) => JSON.parse(entry.MessageBody!));
}

describe('backfill job messages', () => {
  it('are of the version the source names, with each entry revision (1 when it has none)', async () => {
    // Act
    const sent = await backfillWith(async () => 2);

    // Assert
    expect(sent).toMatchObject([
      { version: 2, entryId: '01JDQ8Z6X4M1V9T3K7N2P5R8WA', revision: 3 },
      { version: 2, entryId: '01JDQ8Z6X4M1V9T3K7N2P5R8WB', revision: 1 },
    ]);
  });

  it('stay at the baseline version when the consumer accepts only that, except for an edited entry', async () => {
    // Act
    const sent = await backfillWith(async () => 1);

    // Assert: an edited entry exists only once a version 2 consumer is deployed; version 1 would lose its revision
    expect(sent).toMatchObject([{ version: 2, revision: 3 }, { version: 1 }]);
    expect(sent[1]).not.toHaveProperty('revision');
  });
});

describe('the version source of an ops target', () => {
  it('is the same-checkout consumer for --local: the newest version this contract accepts', async () => {
    // Arrange
    const dataDir = testTempDir('backfill-local-');
    writeFileSync(
      join(dataDir, 'endpoints.json'),
      JSON.stringify({ region: 'local', dynamodbEndpoint: 'http://127.0.0.1:1', sqsEndpoint: 'http://127.0.0.1:2', tableName: 't', queueUrl: 'q', dlqUrl: 'd', dlqArn: 'a' }),
    );

    // Act
    const version = await localTarget(dataDir).jobMessageVersion();

    // Assert
    expect(version).toBe(Math.max(...ACCEPTED_JOB_MESSAGE_VERSIONS));
  });

  it.each([
    ['the versions the deployed consumer publishes', () => ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '1' } }), 1],
    ['the baseline while the consumer publishes none', () => ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} })), 1],
    ['the newest shared one', () => ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '1,2' } }), 2],
  ])('reads, for --stage, %s', async (_name, arrange, expected) => {
    // Arrange
    ssm.on(GetParametersCommand).resolves({ Parameters: [], InvalidParameters: [] });
    arrange();

    // Act
    const version = await (await awsTarget('prod')).jobMessageVersion();

    // Assert
    expect(version).toBe(expected);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/devlog-tags/prod/extraction/accepted-job-message-versions' });
  });
});
