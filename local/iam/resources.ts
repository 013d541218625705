/**
 * The ARNs the function policy file (local/iam/function-policies.json) names resources by. The
 * templates reference the table and queues by CloudFormation tokens and SSM parameters; the
 * generator resolves those to these fixed names, and the local stack maps its own resources to
 * them, so one file serves every stage and machine.
 */
export const POLICY_RESOURCES = {
  table: 'arn:aws:dynamodb:local:000000000000:table/entries',
  jobsQueue: 'arn:aws:sqs:local:000000000000:jobs',
  deadLetterQueue: 'arn:aws:sqs:local:000000000000:jobs-dlq',
  entriesStream: 'arn:aws:dynamodb:local:000000000000:table/entries/stream/local',
  tagsTable: 'arn:aws:dynamodb:local:000000000000:table/tags',
  aggregatorDeadLetterQueue: 'arn:aws:sqs:local:000000000000:tech-stack-dlq',
} as const;

/** The functions whose roles the policy file holds, by the names the local stack gives them. */
export const POLICY_FUNCTIONS = ['api', 'reconciler', 'extraction', 'aggregator'] as const;

/** A function named in the policy file. */
export type PolicyFunction = (typeof POLICY_FUNCTIONS)[number];
