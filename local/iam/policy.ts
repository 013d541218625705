/*
 * IAM evaluation of identity-based policies, for the parts our functions' roles use: Allow and
 * Deny, action and resource wildcards, and the condition operators and keys of DynamoDB
 * fine-grained access. Hand-written because no emulator or library enforces IAM without a paid
 * tier (LocalStack's IAM enforcement is a Pro feature; dynalite, DynamoDB Local and fauxqs
 * accept any credentials). Anything it does not understand throws, so a policy that uses more
 * of IAM fails loudly here instead of being evaluated wrongly.
 */

/** A condition block: operator -> condition key -> values (any of them may match). */
export type PolicyCondition = Record<string, Record<string, string[]>>;

/** One statement of an identity-based policy, its resources resolved to ARNs. */
export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: PolicyCondition;
}

/** An API call as IAM sees it: the action, the resource, and the request's condition keys. */
export interface AuthorizationRequest {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
}

/** Whether IAM lets the call through, and why not. */
export type AuthorizationDecision = { allowed: true } | { allowed: false; reason: string };

/** Condition keys this evaluator knows how to fill for a request. */
const KNOWN_CONDITION_KEYS = new Set(['dynamodb:Attributes', 'dynamodb:ReturnValues', 'dynamodb:Select']);

/** Evaluates a request against a role's statements: an explicit Deny wins, then any Allow, else an implicit deny. */
export function authorize(statements: readonly PolicyStatement[], request: AuthorizationRequest): AuthorizationDecision {
  const matching = statements.filter(
    (statement) =>
      statement.Action.some((action) => wildcardMatch(action, request.action, true)) &&
      statement.Resource.some((resource) => wildcardMatch(resource, request.resource, false)) &&
      conditionsHold(statement.Condition ?? {}, request.context),
  );
  if (matching.some((statement) => statement.Effect === 'Deny')) {
    return { allowed: false, reason: `an explicit deny in an identity-based policy denies ${request.action}` };
  }
  if (matching.some((statement) => statement.Effect === 'Allow')) return { allowed: true };
  return { allowed: false, reason: `no identity-based policy allows the ${request.action} action` };
}

function conditionsHold(condition: PolicyCondition, context: AuthorizationRequest['context']): boolean {
  return Object.entries(condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      if (!KNOWN_CONDITION_KEYS.has(key)) throw new Error(`IAM condition key ${key} is not supported by local/iam/policy.ts: extend it`);
      return operatorHolds(operator, context[key], expected);
    }),
  );
}

function operatorHolds(operator: string, actual: string | string[] | undefined, expected: string[]): boolean {
  const separator = operator.indexOf(':');
  const qualifier = separator >= 0 ? operator.slice(0, separator) : undefined;
  const base = operator.slice(separator + 1);
  const ifExists = base.endsWith('IfExists');
  const test = stringTest(base.replace(/IfExists$/, ''), operator);
  const matchesAny = (value: string) => expected.some((pattern) => test(pattern, value));
  const values = actual === undefined ? [] : ([] as string[]).concat(actual);
  switch (qualifier) {
    // As in IAM: true when the request names no values at all.
    case 'ForAllValues':
      return values.every(matchesAny);
    case 'ForAnyValue':
      return values.some(matchesAny);
    case undefined:
      if (actual === undefined) return ifExists;
      if (Array.isArray(actual)) throw new Error(`IAM operator ${operator} on a multi-valued key needs ForAllValues or ForAnyValue`);
      return matchesAny(actual);
    default:
      throw new Error(`IAM condition qualifier ${qualifier} is not supported by local/iam/policy.ts: extend it`);
  }
}

function stringTest(base: string, operator: string): (pattern: string, value: string) => boolean {
  switch (base) {
    case 'StringEquals':
      return (pattern, value) => pattern === value;
    case 'StringLike':
      return (pattern, value) => wildcardMatch(pattern, value, false);
    default:
      throw new Error(`IAM condition operator ${operator} is not supported by local/iam/policy.ts: extend it`);
  }
}

/** IAM's `*` and `?` wildcards; actions compare case-insensitively, resources and values exactly. */
function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}
