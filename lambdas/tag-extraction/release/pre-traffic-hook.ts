import { Logger } from '@aws-lambda-powertools/logger';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { awsClientConfig } from '../../contract/index.js';
import { createPreTrafficHook, readPreTrafficHookEnv } from './pre-traffic-check.js';
import { PRE_TRAFFIC_HOOK_TIMEOUT_SECONDS, PRE_TRAFFIC_INVOKE_TIMEOUT_MS } from './settings.js';

const aws = awsClientConfig(PRE_TRAFFIC_HOOK_TIMEOUT_SECONDS);

/** CodeDeploy BeforeAllowTraffic hook of an extraction release: the Lambda wiring of createPreTrafficHook. */
export const handler = createPreTrafficHook(readPreTrafficHookEnv(process.env), {
  // The invocation includes the new version's cold start: it gets longer than an ordinary AWS call.
  lambdaClient: new LambdaClient({
    ...aws,
    requestHandler: { ...aws.requestHandler, requestTimeout: PRE_TRAFFIC_INVOKE_TIMEOUT_MS, socketTimeout: PRE_TRAFFIC_INVOKE_TIMEOUT_MS },
  }),
  codeDeployClient: new CodeDeployClient(aws),
  logger: new Logger({ serviceName: 'tag-extraction-release' }),
});
