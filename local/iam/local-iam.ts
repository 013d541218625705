import committedPolicies from './function-policies.json' with { type: 'json' };
import { type EnforcingProxy, type LocalIdentity, startEnforcingProxy } from './enforcing-proxy.js';
import type { PolicyStatement } from './policy.js';
import { ENTRIES_BILLED_TABLE, TAGS_BILLED_TABLE } from '../metering/billed-tables.js';
import type { BilledTable } from '../metering/dynamodb-units.js';
import { dynamoDbCallMeter, sqsCallMeter } from '../metering/proxy-meters.js';
import type { UsageMeter } from '../metering/usage-meter.js';
import { POLICY_FUNCTIONS, POLICY_RESOURCES, type PolicyFunction } from './resources.js';

/** Each function's DynamoDB and SQS statements, as its role in the stacks grants them. */
export type LocalFunctionPolicies = Record<PolicyFunction, readonly PolicyStatement[]>;

/** The committed policy file (`npm run iam:policies` writes it from the synthesized stacks; a test keeps it current). */
export const COMMITTED_FUNCTION_POLICIES = committedPolicies as LocalFunctionPolicies;

/**
 * The access key id a function's SDK clients sign with locally: each function has its own, so
 * the enforcing proxies know whose role a call is made under.
 */
export function localAccessKeyId(fn: PolicyFunction): string {
  return `local-${fn}`;
}

/** What the local stack's IAM enforcement stands in front of, and under which policies. */
export interface LocalIamOptions {
  /** Where allowed DynamoDB calls go (the stream stand-in in front of dynalite). */
  dynamoDbTarget: string;
  /** Where allowed SQS calls go (the emulator). */
  sqsTarget: string;
  /** The local table names, by the policy file's ARN of each. */
  tables: { entries: string; tags: string };
  /** The local queue URLs, by the policy file's ARN of each. */
  queues: { jobs: string; deadLetter: string };
  policies?: LocalFunctionPolicies;
  /** Counts every allowed call for the bench's bill (bench/bill.ts); calls are piped through unread without it. */
  meter?: UsageMeter;
}

/** The running enforcing proxies: the endpoints the handlers' clients use, and how to stop them. */
export interface LocalIam {
  endpoints: { dynamoDb: string; sqs: string };
  stop(): Promise<void>;
}

/**
 * Starts an enforcing proxy in front of DynamoDB and one in front of SQS that evaluate every call
 * of a function against that function's policy (found by its access key id, localAccessKeyId),
 * so a permission missing from a role fails locally with AccessDenied as it would in AWS. A
 * table or queue the policy file does not know gets an ARN no statement names, so it is denied.
 */
export async function startLocalIam(options: LocalIamOptions): Promise<LocalIam> {
  const policies = options.policies ?? COMMITTED_FUNCTION_POLICIES;
  const identities: Record<string, LocalIdentity> = Object.fromEntries(
    POLICY_FUNCTIONS.map((fn) => [localAccessKeyId(fn), { functionName: fn, statements: policies[fn] }]),
  );
  const tableArns: Record<string, string> = {
    [options.tables.entries]: POLICY_RESOURCES.table,
    [options.tables.tags]: POLICY_RESOURCES.tagsTable,
  };
  const queueArns: Record<string, string> = {
    [options.queues.jobs]: POLICY_RESOURCES.jobsQueue,
    [options.queues.deadLetter]: POLICY_RESOURCES.deadLetterQueue,
  };
  const billedTables: Record<string, BilledTable> = {
    [options.tables.entries]: ENTRIES_BILLED_TABLE,
    [options.tables.tags]: TAGS_BILLED_TABLE,
  };
  const { meter } = options;
  const started = await Promise.allSettled([
    startEnforcingProxy({
      service: 'dynamodb',
      targetEndpoint: options.dynamoDbTarget,
      identities,
      resourceArnOf: (name) => tableArns[name] ?? `arn:aws:dynamodb:local:000000000000:table/${name}`,
      ...(meter ? { meter: dynamoDbCallMeter(meter, billedTables) } : {}),
    }),
    startEnforcingProxy({
      service: 'sqs',
      targetEndpoint: options.sqsTarget,
      identities,
      resourceArnOf: (url) => queueArns[url] ?? `arn:aws:sqs:local:000000000000:${url}`,
      ...(meter ? { meter: sqsCallMeter(meter) } : {}),
    }),
  ]);
  const proxies = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => void (await Promise.all(proxies.map((proxy: EnforcingProxy) => proxy.stop())));
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  const [dynamoDb, sqs] = proxies as [EnforcingProxy, EnforcingProxy];
  return { endpoints: { dynamoDb: dynamoDb.endpoint, sqs: sqs.endpoint }, stop };
}
