import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TAGS_TABLE } from '../../lambdas/devlog-api/adapters/tags-table.js';
import { AGGREGATOR_SETTINGS } from '../../lambdas/devlog-api/aggregator/settings.js';
import { dynamoDbClientFor, ensureKeyedTable, startDynamoDb } from '../../local/emulators/dynamodb.js';
import { entryStreamMapping, getAttOf, policyStatements } from './support/template-queries.js';
import { synthStage } from './synth.js';

describe('the tech-stack aggregator in the DevLogApi stack', () => {
  let stage: ReturnType<typeof synthStage>;
  beforeAll(() => {
    stage = synthStage();
  });

  it('streams the entries table with old and new images', () => {
    stage.api.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Match.anyValue(),
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('keeps the aggregates in their own on-demand table with PITR, retained on delete', () => {
    stage.api.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: Match.anyValue(),
        StreamSpecification: Match.absent(),
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    });
  });

  it('deploys the index by count exactly as the local stack creates it (keys and projected attributes)', async () => {
    // Arrange: the local stack's tags table, created by the same function `npm start` uses
    const dynamo = await startDynamoDb();
    const client = dynamoDbClientFor(dynamo.endpoint);
    try {
      await ensureKeyedTable(client, 'tags', TAGS_TABLE);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'tags' }));
      const local = (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema,
        Projection: {
          ProjectionType: index.Projection?.ProjectionType,
          NonKeyAttributes: [...(index.Projection?.NonKeyAttributes ?? [])].sort(),
        },
      }));

      // Act
      const [deployed] = Object.values(
        stage.api.findResources('AWS::DynamoDB::GlobalTable', { Properties: { StreamSpecification: Match.absent() } }),
      );
      const deployedIndexes = (
        (deployed?.Properties.GlobalSecondaryIndexes ?? []) as {
          IndexName: string;
          KeySchema: unknown;
          Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
        }[]
      ).map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema,
        Projection: {
          ProjectionType: index.Projection.ProjectionType,
          NonKeyAttributes: [...(index.Projection.NonKeyAttributes ?? [])].sort(),
        },
      }));

      // Assert
      expect(deployedIndexes).toEqual(local);
      expect(deployedIndexes).toEqual([
        {
          IndexName: 'tech-stack-by-count',
          KeySchema: [
            { AttributeName: 'countOwner', KeyType: 'HASH' },
            { AttributeName: 'countRank', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['count', 'firstSeen', 'lastSeen', 'value'] },
        },
      ]);
    } finally {
      client.destroy();
      await dynamo.stop();
    }
  });

  it('feeds only entry items to the aggregator, retrying from a failed record and parking what never succeeds', () => {
    stage.api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ...entryStreamMapping('TechStackAggregatorFunction', AGGREGATOR_SETTINGS, 'TechStackDlq'),
      // One batch per shard at a time: an entry's records are applied in order (sync-entry-tags.ts relies on it).
      ParallelizationFactor: Match.absent(),
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { sk: { S: [{ prefix: 'ENTRY#' }] } } } }) }] },
    });
  });

  it('lets the aggregator read only the keys, tags and creation time of entries, and write only the tags table', () => {
    const aggregatorStatements = policyStatements(stage.api, 'TechStackAggregatorFunctionRole');
    const onEntries = aggregatorStatements.filter((statement) => JSON.stringify(statement.Resource).includes('"Entries'));
    const entryTableActions = onEntries
      .filter((statement) => !JSON.stringify(statement.Resource).includes('StreamArn'))
      .flatMap((statement) => [statement.Action].flat());
    const streamActions = onEntries
      .filter((statement) => JSON.stringify(statement.Resource).includes('StreamArn'))
      .flatMap((statement) => [statement.Action].flat());
    const onTags = aggregatorStatements
      .filter((statement) => JSON.stringify(statement.Resource).includes('"Tags'))
      .flatMap((statement) => [statement.Action].flat());

    expect(entryTableActions).toEqual(['dynamodb:GetItem']);
    expect(onEntries).toContainEqual(
      expect.objectContaining({
        Action: 'dynamodb:GetItem',
        Condition: {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'createdAt', 'tags'] },
          StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
        },
      }),
    );
    expect(streamActions.sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    expect(onTags.sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    const everyAction = aggregatorStatements.flatMap((statement) => [statement.Action].flat());
    expect(everyAction.filter((action) => action.startsWith('sqs:')).sort()).toEqual([
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    expect(everyAction.filter((action) => /^(dynamodb|sqs|logs|xray):/.test(action) === false)).toEqual([]);
  });

  it('gives the API function read access to the tags table and its name', () => {
    stage.api.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('API'),
      Environment: { Variables: Match.objectLike({ TAGS_TABLE_NAME: { Ref: Match.stringLikeRegexp('^Tags') } }) },
    });
    stage.api.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ApiFunctionRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'dynamodb:Query',
            Resource: [getAttOf('Tags'), { 'Fn::Join': ['', [getAttOf('Tags'), '/index/tech-stack-by-count']] }],
          }),
        ]),
      },
    });
  });

  it('alarms when the aggregator fails, falls behind or parks records', () => {
    stage.api.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Threshold: 300_000 });
    stage.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^TechStackAggregatorFunction') } }],
    });
    stage.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TechStackDlq'), 'QueueName'] } }],
    });
  });
});
