import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, type AuthorizationRequest } from '../../local/iam/policy.js';
import { dynamoDbAuthorizationRequest, sqsAuthorizationRequest, type DynamoDbRequestInput } from '../../local/iam/requests.js';
import { DynamoDbBatchLedger } from '../../lambdas/tag-extraction/adapters/dynamodb-backfill-ledger.js';
import { POLICY_FUNCTIONS, POLICY_RESOURCES, type PolicyFunction } from '../../local/iam/resources.js';
import { functionsWithoutPolicies, synthesizeFunctionPolicies, type FunctionPolicies } from '../../local/iam/synthesized-policies.js';
import { startTestEmulators, type TestEmulators } from '../integration/support/emulators.js';
import { capturingClients, trackMethods, type CapturedCommand } from './support/captured-commands.js';
import { FUNCTION_ADAPTERS, FUNCTION_SCENARIOS } from './support/function-scenarios.js';

/*
 * IAM that matches the code: every command each function's adapters send, captured while its
 * real use cases run (FUNCTION_SCENARIOS), must be allowed by that function's synthesized role,
 * with every attribute it names (DynamoDB fine-grained access covers key, item, update,
 * condition, projection and filter attributes, and the table's and index's keys).
 */

let emulators: TestEmulators;
let policies: FunctionPolicies;
const captured = new Map<PolicyFunction, CapturedCommand[]>();
const calledMethods = new Set<string>();

beforeAll(async () => {
  emulators = await startTestEmulators();
  policies = synthesizeFunctionPolicies();
  const backends = { documents: emulators.documents, sqs: emulators.sqs };
  for (const name of POLICY_FUNCTIONS) {
    const clients = capturingClients(backends);
    let now = Date.parse('2026-11-23T10:00:00.000Z');
    try {
      for (const scenario of FUNCTION_SCENARIOS[name]) {
        await scenario.run({
          documents: clients.documents,
          sqs: clients.sqs,
          tableName: emulators.tableName,
          tagsTableName: emulators.tagsTableName,
          queueUrl: emulators.queues.queueUrl,
          clock: {
            now: () => new Date(now),
            advance: (ms) => {
              now += ms;
            },
          },
          failNext: clients.failNext,
          track: (adapter) => trackMethods(adapter, calledMethods),
          arrange: backends.documents,
        });
      }
      captured.set(name, clients.commands());
    } finally {
      clients.restore();
    }
  }
}, 120_000);

afterAll(async () => {
  await emulators?.stop();
});

function authorizationRequest(command: CapturedCommand): AuthorizationRequest {
  if (command.service === 'dynamodb') {
    return dynamoDbAuthorizationRequest(command.operation!, command.input as DynamoDbRequestInput, (tableName) => {
      if (tableName === emulators.tagsTableName) return POLICY_RESOURCES.tagsTable;
      if (tableName !== emulators.tableName) throw new Error(`unknown table ${tableName}`);
      return POLICY_RESOURCES.table;
    });
  }
  const queues: Record<string, string> = {
    [emulators.queues.queueUrl]: POLICY_RESOURCES.jobsQueue,
    [emulators.queues.deadLetterQueueUrl]: POLICY_RESOURCES.deadLetterQueue,
  };
  const queueArn = queues[String(command.input.QueueUrl)];
  if (!queueArn) throw new Error(`unknown queue ${command.input.QueueUrl}`);
  return sqsAuthorizationRequest(command.operation!, queueArn);
}

describe.each(POLICY_FUNCTIONS)('the %s function', (name) => {
  it('sends only commands the permissions check knows', () => {
    const unknown = captured
      .get(name)!
      .filter((command) => command.operation === undefined)
      .map((command) => command.commandName);
    expect(unknown, 'add these to DYNAMODB_COMMANDS / SQS_COMMANDS in test/infra/support/captured-commands.ts').toEqual([]);
  });

  it('is allowed by its synthesized role to send every command its use cases send, with every attribute they name', () => {
    const commands = captured.get(name)!;
    const denied = commands
      .map((command) => ({ command, request: authorizationRequest(command) }))
      .map(({ command, request }) => ({ command: command.commandName, request, decision: authorize(policies[name], request) }))
      .filter(({ decision }) => !decision.allowed)
      .map(
        ({ command, request, decision }) =>
          `${command}: ${request.action} on ${request.resource} ${JSON.stringify(request.context)}: ${(decision as { reason: string }).reason}`,
      );

    expect(commands.length).toBeGreaterThan(0);
    expect(denied).toEqual([]);
  });
});

describe('the policy file the local stack enforces', () => {
  it('matches the synthesized roles (regenerate it with `npm run iam:policies`)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../local/iam/function-policies.json', import.meta.url), 'utf8'));

    expect(committed).toEqual(policies);
  });

  it('holds every function of both stacks', () => {
    expect(functionsWithoutPolicies(), 'add the function to local/iam/resources.ts and synthesized-policies.ts').toEqual([]);
  });
});

describe('the scenarios', () => {
  it('reach every method of every adapter a function wires up', () => {
    const methods = Object.values(FUNCTION_ADAPTERS)
      .flat()
      .flatMap((adapter) =>
        Object.getOwnPropertyNames(adapter.prototype)
          .filter((method) => method !== 'constructor')
          .map((method) => `${adapter.name}.${method}`),
      );
    expect([...new Set(methods)].filter((method) => !calledMethods.has(method))).toEqual([]);
  });

  it('cover every adapter under lambdas/ that talks to DynamoDB or SQS', () => {
    const root = path.resolve(import.meta.dirname, '../../lambdas');
    const adapterFiles = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => /(^|\/)adapters\/[^/]+\.ts$/.test(file));
    const sdkAdapters = adapterFiles.flatMap((file) => {
      const source = readFileSync(path.join(root, file), 'utf8');
      if (!/from '@aws-sdk\/(lib-dynamodb|client-dynamodb|client-sqs)'/.test(source)) return [];
      return [...source.matchAll(/export class (\w+)/g)].map((match) => match[1]!);
    });
    // The backfill collector does not run in the local stack (local/iam/synthesized-policies.ts):
    // its ledger adapter's role is pinned by test/infra/tag-extraction-stack.test.ts instead.
    const registered = new Set([...Object.values(FUNCTION_ADAPTERS).flat(), DynamoDbBatchLedger].map((adapter) => adapter.name));

    expect(sdkAdapters.length).toBeGreaterThan(0);
    expect(sdkAdapters.filter((adapter) => !registered.has(adapter))).toEqual([]);
  });
});
