import 'aws-sdk-client-mock-vitest/extend';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as zod from 'zod';
import { ssmJobMessageVersion } from '../../../lambdas/devlog-api/adapters/consumer-versions.js';
import { readSsmParameter } from '../../../lambdas/devlog-api/adapters/ssm-parameter.js';
import { SqsJobQueue } from '../../../lambdas/devlog-api/adapters/sqs-job-queue.js';
import { formatAcceptedVersions, jobMessageFor } from '../../../lambdas/contract/index.js';
import { parseJobRecord } from '../../../lambdas/tag-extraction/job-record.js';
import { readPublishedSchemas } from '../../../tools/shared/contract-gate/published-schemas.js';
import { sqsRecord } from '../support/sqs-records.js';

/*
 * The two teams release independently. The old consumer is what was deployed before version 2:
 * it accepts exactly the published schema of version 1 and published "1" in SSM. The old
 * producer is one that only knows version 1.
 */
const PARAMETER = '/devlog-tags/prod/extraction/accepted-job-message-versions';
const ENTRY = { id: '01JDQ8Z6X4M1V9T3K7N2P5R8WA', ownerId: 'user-a', revision: 2 };
const published = await readPublishedSchemas();
const oldConsumer = zod.fromJSONSchema(published.get(1) ?? false);

const ssm = mockClient(SSMClient);
const sqs = mockClient(SQSClient);

/** The new producer as deployed: SSM-backed version source, real queue adapter. */
async function newProducerSends(): Promise<unknown> {
  const version = ssmJobMessageVersion({ parameterName: PARAMETER, readParameter: readSsmParameter, logger: { warn: vi.fn() } });
  const queue = new SqsJobQueue(new SQSClient({}), 'https://sqs.eu-central-1.amazonaws.com/1/jobs', { now: () => new Date() }, version);
  await queue.enqueue(ENTRY);
  return JSON.parse(sqs.commandCalls(SendMessageCommand).at(-1)!.args[0].input.MessageBody!);
}

beforeEach(() => {
  ssm.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
});

describe('release order between producer and consumer', () => {
  it('producer first: the new API keeps sending version 1 while the old consumer accepts only that', async () => {
    // Arrange
    ssm.on(GetParameterCommand, { Name: PARAMETER }).resolves({ Parameter: { Value: formatAcceptedVersions([1]) } });

    // Act
    const message = await newProducerSends();

    // Assert
    expect(message).toMatchObject({ version: 1 });
    expect(oldConsumer.safeParse(message).success).toBe(true);
  });

  it('producer first on a new account (no consumer published yet): version 1', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    expect(oldConsumer.safeParse(await newProducerSends()).success).toBe(true);
  });

  it("consumer first: the new consumer accepts what the old producer sends, as for the entry's current text", () => {
    // Arrange
    const oldProducerMessage = jobMessageFor(ENTRY, new Date(), 1);

    // Act
    const parsed = parseJobRecord(sqsRecord(JSON.stringify(oldProducerMessage)));

    // Assert
    expect(parsed).toMatchObject({ job: { version: 1, entryId: ENTRY.id }, revision: undefined });
  });

  it('both released: the new producer sends version 2 with the revision, and the new consumer reads it', async () => {
    // Arrange
    ssm.on(GetParameterCommand, { Name: PARAMETER }).resolves({ Parameter: { Value: formatAcceptedVersions([1, 2]) } });

    // Act
    const message = await newProducerSends();
    const parsed = parseJobRecord(sqsRecord(JSON.stringify(message)));

    // Assert
    expect(message).toMatchObject({ version: 2, revision: 2 });
    expect(oldConsumer.safeParse(message).success).toBe(false);
    expect(parsed?.revision).toBe(2);
  });
});
