import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_EVENTS_SETTINGS } from '../../lambdas/devlog-api/entry-events/settings.js';
import { sharedParameterPaths } from '../../lib/shared/ssm-parameters.js';
import { entryStreamMapping, getAttOf, policyStatements } from './support/template-queries.js';
import { synthStage } from './synth.js';

describe('the entry events in the DevLogApi stack', () => {
  let stage: ReturnType<typeof synthStage>;
  beforeAll(() => {
    stage = synthStage();
  });

  it('has a bus per stage, published in SSM under /devlog-tags/<stage>/event-bus/{name,arn}', () => {
    stage.api.hasResourceProperties('AWS::Events::EventBus', { Name: 'devlog-tags-dev' });
    const paths = sharedParameterPaths('dev');
    expect([paths.eventBusName, paths.eventBusArn]).toEqual(['/devlog-tags/dev/event-bus/name', '/devlog-tags/dev/event-bus/arn']);
    stage.api.hasResourceProperties('AWS::SSM::Parameter', {
      Name: paths.eventBusName,
      Value: { Ref: Match.stringLikeRegexp('^EntryEvents') },
    });
    stage.api.hasResourceProperties('AWS::SSM::Parameter', { Name: paths.eventBusArn, Value: getAttOf('EntryEvents') });
  });

  it('feeds the publisher from the entries stream, only removals and entries become done or failed, parking what never succeeds', () => {
    stage.api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ...entryStreamMapping('EntryEventsFunction', ENTRY_EVENTS_SETTINGS, 'EntryEventsDlq'),
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ eventName: ['REMOVE'], dynamodb: { Keys: { sk: { S: [{ prefix: 'ENTRY#' }] } } } }) },
          {
            Pattern: JSON.stringify({
              dynamodb: { Keys: { sk: { S: [{ prefix: 'ENTRY#' }] } }, NewImage: { status: { S: ['done', 'failed'] } } },
            }),
          },
        ],
      },
    });
    stage.api.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('entry events'),
      Environment: { Variables: Match.objectLike({ EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^EntryEvents') } }) },
    });
  });

  it('lets the publisher put events on that bus only, read the stream only and park records in its DLQ', () => {
    const statements = policyStatements(stage.api, 'EntryEventsFunctionRole');
    const actionsOn = (pattern: RegExp) =>
      statements.filter((statement) => pattern.test(JSON.stringify(statement.Resource))).flatMap((statement) => [statement.Action].flat());
    const everyAction = statements.flatMap((statement) => [statement.Action].flat());

    const putEvents = statements.filter((statement) => [statement.Action].flat().includes('events:PutEvents'));
    expect(putEvents.map((statement) => statement.Resource)).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^EntryEvents[0-9A-F]{8}$/), 'Arn'] },
    ]);
    expect(everyAction.filter((action) => action.startsWith('events:'))).toEqual(['events:PutEvents']);
    expect(everyAction.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    expect(actionsOn(/StreamArn/)).toHaveLength(4);
    expect(everyAction.filter((action) => action.startsWith('sqs:')).sort()).toEqual([
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    expect(actionsOn(/EntryEventsDlq/).sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(everyAction.filter((action) => !/^(dynamodb|sqs|events|logs|xray):/.test(action))).toEqual([]);
  });

  it('alarms, to the stage topic, when the publisher fails, falls behind or parks records', () => {
    const topic = Object.keys(stage.api.findResources('AWS::SNS::Topic'))[0];
    const notifies = { AlarmActions: [{ Ref: topic }], OKActions: [{ Ref: topic }] };
    stage.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^EntryEventsFunction') } }],
      ...notifies,
    });
    stage.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^EntryEventsFunction') } }],
      ...notifies,
    });
    stage.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EntryEventsDlq'), 'QueueName'] } }],
      Threshold: 1,
      ...notifies,
    });
  });
});
