import { describe, expect, it } from 'vitest';
import { authorize, type PolicyStatement } from '../../../../local/iam/policy.js';
import { attributeNamesIn, dynamoDbAuthorizationRequest, sqsAuthorizationRequest } from '../../../../local/iam/requests.js';

const TABLE = 'arn:aws:dynamodb:local:000000000000:table/entries';

const updateOnly = (attributes: string[]): PolicyStatement => ({
  Effect: 'Allow',
  Action: ['dynamodb:UpdateItem'],
  Resource: [TABLE],
  Condition: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': attributes } },
});

const markResent = dynamoDbAuthorizationRequest(
  'UpdateItem',
  {
    TableName: 'entries',
    Key: { pk: 'OWNER#a', sk: 'ENTRY#1' },
    UpdateExpression: 'SET enqueuedAt = :at',
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
  },
  () => TABLE,
);

describe('authorize', () => {
  it('denies an update whose condition names an attribute the policy does not list', () => {
    // Act
    const decision = authorize([updateOnly(['pk', 'sk', 'enqueuedAt'])], markResent);

    // Assert
    expect(decision).toEqual({ allowed: false, reason: 'no identity-based policy allows the dynamodb:UpdateItem action' });
  });

  it('allows it once the policy lists every attribute, keys included', () => {
    // Act
    const decision = authorize([updateOnly(['pk', 'sk', 'enqueuedAt', 'status'])], markResent);

    // Assert
    expect(decision).toEqual({ allowed: true });
  });

  it('lets an explicit deny win over an allow, and matches action wildcards case-insensitively', () => {
    // Arrange
    const statements: PolicyStatement[] = [
      { Effect: 'Allow', Action: ['dynamodb:*'], Resource: ['*'] },
      { Effect: 'Deny', Action: ['DynamoDB:Update*'], Resource: [TABLE] },
    ];

    // Act
    const decision = authorize(statements, markResent);

    // Assert
    expect(decision.allowed).toBe(false);
  });

  it('does not let a table grant cover its indexes', () => {
    // Arrange
    const query = dynamoDbAuthorizationRequest(
      'Query',
      { TableName: 'entries', IndexName: 'pending-by-enqueued-at', KeyConditionExpression: 'pendingBucket = :p' },
      () => TABLE,
    );

    // Act
    const decision = authorize([{ Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [TABLE] }], query);

    // Assert
    expect(query.resource).toBe(`${TABLE}/index/pending-by-enqueued-at`);
    expect(decision.allowed).toBe(false);
  });

  it('treats an IfExists condition on a key the request lacks as met, and a plain one as not', () => {
    // Arrange
    const allowIf = (operator: string): PolicyStatement => ({
      Effect: 'Allow',
      Action: ['dynamodb:UpdateItem'],
      Resource: [TABLE],
      Condition: { [operator]: { 'dynamodb:ReturnValues': ['NONE'] } },
    });

    // Act / Assert
    expect(authorize([allowIf('StringEqualsIfExists')], markResent).allowed).toBe(true);
    expect(authorize([allowIf('StringEquals')], markResent).allowed).toBe(false);
  });

  it('refuses to guess at condition keys and operators it does not implement', () => {
    // Arrange
    const statement: PolicyStatement = {
      Effect: 'Allow',
      Action: ['dynamodb:UpdateItem'],
      Resource: [TABLE],
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['OWNER#a'] } },
    };

    // Act / Assert
    expect(() => authorize([statement], markResent)).toThrow(/dynamodb:LeadingKeys is not supported/);
  });
});

describe('attributeNamesIn', () => {
  it('names the top-level attribute of every path, resolves #names, and skips values, functions and keywords', () => {
    // Act
    const names = attributeNamesIn('SET #s = :done, tags[0].value = :v REMOVE pendingBucket ADD counter :one', { '#s': 'status' });
    const condition = attributeNamesIn('attribute_exists(pk) AND (#s = :p OR size(tags) < :n) AND begins_with(sk, :e)', { '#s': 'status' });

    // Assert
    expect(names).toEqual(['status', 'tags', 'pendingBucket', 'counter']);
    expect(condition).toEqual(['pk', 'status', 'tags', 'sk']);
  });
});

describe('sqsAuthorizationRequest', () => {
  it('authorizes a batch call as its single-message action, as IAM does', () => {
    // Arrange
    const queue = 'arn:aws:sqs:local:000000000000:jobs';
    const statements: PolicyStatement[] = [{ Effect: 'Allow', Action: ['sqs:DeleteMessage', 'sqs:SendMessage'], Resource: [queue] }];

    // Act
    const decisions = ['DeleteMessageBatch', 'SendMessageBatch', 'ChangeMessageVisibilityBatch'].map((operation) =>
      authorize(statements, sqsAuthorizationRequest(operation, queue)),
    );

    // Assert
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, false]);
  });
});
