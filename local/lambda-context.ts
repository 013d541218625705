import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { LOCAL_RESOURCES } from './settings.js';

/** A Lambda context for one local invocation: what Powertools reads, and the remaining time. */
export function fakeLambdaContext(functionName: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const unsupported = () => {
    throw new Error('the legacy done/fail/succeed callbacks are not available locally');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_RESOURCES.region}:${LOCAL_RESOURCES.accountId}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${functionName}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
