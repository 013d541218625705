import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';

/** A command class an adapter sends, and the API operation (the IAM action's name) it is. */
// biome-ignore lint/suspicious/noExplicitAny: one table holds command classes of two clients with unrelated input types
type CommandRoute = [command: new (input: any) => any, operation: string];
/** A client mock of either client; the routes above carry the command types. */
// biome-ignore lint/suspicious/noExplicitAny: see CommandRoute
type ClientMock = AwsStub<any, any, any>;
/** A command's input, as the permissions check reads it. */
type CommandInput = Record<string, unknown>;

/**
 * Every command class the adapters may send, with its operation. Sending one that is not
 * listed fails the permissions test with a message naming it: add it here, and the test then
 * checks it against the role like the others.
 */
export const DYNAMODB_COMMANDS: CommandRoute[] = [
  [GetCommand, 'GetItem'],
  [PutCommand, 'PutItem'],
  [UpdateCommand, 'UpdateItem'],
  [DeleteCommand, 'DeleteItem'],
  [QueryCommand, 'Query'],
  [ScanCommand, 'Scan'],
];
/** See DYNAMODB_COMMANDS. */
export const SQS_COMMANDS: CommandRoute[] = [
  [SendMessageCommand, 'SendMessage'],
  [ChangeMessageVisibilityCommand, 'ChangeMessageVisibility'],
  [DeleteMessageCommand, 'DeleteMessage'],
  [ReceiveMessageCommand, 'ReceiveMessage'],
];

/** One command an adapter sent. */
export interface CapturedCommand {
  service: 'dynamodb' | 'sqs';
  /** The operation, or undefined for a command class missing from the tables above. */
  operation?: string;
  commandName: string;
  input: CommandInput;
}

/** When a forwarded command fails: after the emulator applied it (a lost answer) or instead of sending it. */
export interface InjectedFailure {
  operation: string;
  when: 'after-commit' | 'instead';
  error: Error;
  /** Only commands whose input this accepts; all of the operation by default. */
  matches?: (input: CommandInput) => boolean;
}

/**
 * SDK clients for one function's adapters. aws-sdk-client-mock records every command they send
 * and forwards it to the emulators, so the use cases run against real answers and take their
 * real branches; `failNext` injects a failure into the next command of an operation.
 */
export function capturingClients(backends: { documents: DynamoDBDocumentClient; sqs: SQSClient }) {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1' }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sqs = new SQSClient({ region: 'eu-central-1' });
  const failures: InjectedFailure[] = [];
  const forwardAll = (mock: ClientMock, routes: CommandRoute[], backend: { send(command: object): Promise<unknown> }) => {
    for (const [Command, operation] of routes) {
      mock.on(Command).callsFake(async (input: CommandInput) => {
        const index = failures.findIndex((failure) => failure.operation === operation && (failure.matches?.(input) ?? true));
        const failure = index >= 0 ? failures.splice(index, 1)[0] : undefined;
        if (failure?.when === 'instead') throw failure.error;
        const output = await backend.send(new Command(input));
        if (failure) throw failure.error;
        return output;
      });
    }
  };
  const dynamoDbMock = mockClient(documents);
  const sqsMock = mockClient(sqs);
  forwardAll(dynamoDbMock, DYNAMODB_COMMANDS, backends.documents);
  forwardAll(sqsMock, SQS_COMMANDS, backends.sqs);
  const captured = (service: CapturedCommand['service'], mock: ClientMock, routes: CommandRoute[]): CapturedCommand[] =>
    mock.calls().map((call) => {
      const command = call.args[0] as { constructor: { name: string }; input: CommandInput };
      const route = routes.find(([Command]) => command instanceof Command);
      return { service, operation: route?.[1], commandName: command.constructor.name, input: command.input };
    });
  return {
    documents,
    sqs,
    /** Makes the next command of `operation` fail. */
    failNext(failure: InjectedFailure) {
      failures.push(failure);
    },
    /** Everything sent so far, DynamoDB first. */
    commands: (): CapturedCommand[] => [
      ...captured('dynamodb', dynamoDbMock, DYNAMODB_COMMANDS),
      ...captured('sqs', sqsMock, SQS_COMMANDS),
    ],
    restore() {
      dynamoDbMock.restore();
      sqsMock.restore();
      documents.destroy();
      sqs.destroy();
    },
  };
}

/**
 * Wraps an adapter so the names of the methods called on it are recorded, private helpers
 * included (they are called through the wrapper as `this`).
 */
export function trackMethods<T extends object>(adapter: T, called: Set<string>): T {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value === 'function' && typeof property === 'string') {
        called.add(`${target.constructor.name}.${property}`);
      }
      return value;
    },
  });
}
