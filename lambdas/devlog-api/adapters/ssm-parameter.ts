import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

// Short timeouts and one retry: a slow SSM must not hold a POST; the caller falls back safely.
const client = new SSMClient({ maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 } });

/** The value of an SSM String parameter; throws ParameterNotFound when it does not exist. */
export async function readSsmParameter(name: string): Promise<string | undefined> {
  const answer = await client.send(new GetParameterCommand({ Name: name }));
  return answer.Parameter?.Value;
}
