import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMITTED_FUNCTION_POLICIES, type LocalFunctionPolicies } from '../../local/iam/local-iam.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/*
 * The local stack checks each function's calls against that function's own role: a permission
 * missing from a role fails locally the way IAM fails it in AWS (AccessDenied), not only once
 * deployed.
 */

/** The committed roles, except that the API may no longer put items into the entries table. */
const API_WITHOUT_PUT_ITEM: LocalFunctionPolicies = {
  ...COMMITTED_FUNCTION_POLICIES,
  api: COMMITTED_FUNCTION_POLICIES.api.map((statement) => ({
    ...statement,
    Action: statement.Action.filter((action) => action !== 'dynamodb:PutItem'),
  })),
};

let test: TestStack;

beforeAll(async () => {
  test = await startTestStack({ env: { LOG_LEVEL: 'ERROR' }, functionPolicies: API_WITHOUT_PUT_ITEM });
});

afterAll(async () => {
  await test?.stop();
});

describe('a local function whose role lacks a permission', () => {
  it('is denied that call with AccessDenied, as in AWS, while the calls its role allows go through', async () => {
    // Arrange
    const client = await test.client('iam-user');

    // Act
    const posted = await client.post('Built with Django.');
    const listed = await client.listAll();

    // Assert
    expect(posted.status).toBe(500);
    type LoggedError = { name?: string; message?: string; cause?: LoggedError };
    const logged = test.handlerLogs.map((line) => JSON.parse(line) as { service?: string; error?: LoggedError });
    const denial = logged.find((line) => line.error?.cause?.name === 'AccessDeniedException');
    expect(denial).toMatchObject({ service: 'devlog-api' });
    expect(denial?.error?.cause?.message).toMatch(
      /assumed-role\/api\/local is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:local:000000000000:table\/entries/,
    );
    expect(listed).toEqual([]);
  });
});
