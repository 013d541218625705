import {
  DescribeTableCommand,
  DynamoDBClient,
  InternalServerError,
  ListTablesCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDb, type DynamoDbEmulator } from '../../local/emulators/dynamodb.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { LOCAL_RESOURCES } from '../../local/settings.js';

/*
 * The fault proxy the fault tests put between the handlers and the emulators
 * (startTestStack({ faultInjection: true })), seen from the real AWS SDK.
 */

let emulator: DynamoDbEmulator;
let proxy: FaultProxy;
let client: DynamoDBClient;

beforeAll(async () => {
  emulator = await startDynamoDb();
  proxy = await startFaultProxy({ targetEndpoint: emulator.endpoint });
  // One attempt, so each failure the proxy injects reaches the test.
  client = new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: LOCAL_RESOURCES.region,
    credentials: LOCAL_RESOURCES.credentials,
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await proxy?.stop();
  await emulator?.stop();
});

describe('startFaultProxy', () => {
  it('forwards every request while no fault is set', async () => {
    // Act
    const { TableNames } = await client.send(new ListTablesCommand({}));

    // Assert
    expect(TableNames).toEqual([]);
    expect(proxy.stats.forwarded['DynamoDB_20120810.ListTables']).toBe(1);
  });

  it('fails only the operation a rule names, with the AWS error the SDK expects', async () => {
    // Arrange
    proxy.failRequests([{ target: 'DynamoDB_20120810.DescribeTable', action: { kind: 'error' } }]);

    // Act
    const failed = await client.send(new DescribeTableCommand({ TableName: 'x' })).catch((error: unknown) => error);
    const listed = await client.send(new ListTablesCommand({}));

    // Assert
    expect(failed).toBeInstanceOf(InternalServerError);
    expect(listed.TableNames).toEqual([]);
    await proxy.heal();
  });

  it('fails only the requests whose body contains what a rule names, and forwards the others intact', async () => {
    // Arrange
    proxy.failRequests([{ target: 'DynamoDB_20120810.DescribeTable', bodyIncludes: '"doomed', action: { kind: 'error' } }]);

    // Act
    const failed = await client.send(new DescribeTableCommand({ TableName: 'doomed-table' })).catch((error: unknown) => error);
    const forwarded = await client.send(new DescribeTableCommand({ TableName: 'other-table' })).catch((error: unknown) => error);

    // Assert
    expect(failed).toBeInstanceOf(InternalServerError);
    // dynalite read the forwarded body: it names the table it did not find.
    expect(forwarded).toBeInstanceOf(ResourceNotFoundException);
    expect((forwarded as Error).message).toContain('other-table');
    await proxy.heal();
  });

  it('drops the connection of a request a reset rule matches', async () => {
    // Arrange
    proxy.failRequests([{ action: { kind: 'reset' } }]);

    // Act
    const failed = (await client.send(new ListTablesCommand({})).catch((error: unknown) => error)) as NodeJS.ErrnoException;

    // Assert
    expect(failed.code ?? failed.name).toMatch(/ECONNRESET|socket hang up|TimeoutError/);
    await proxy.heal();
  });

  it('refuses connections until healed, then serves on the same port again', async () => {
    // Act
    await proxy.setConnectionMode('refuse');
    const refused = (await client.send(new ListTablesCommand({})).catch((error: unknown) => error)) as NodeJS.ErrnoException;
    await proxy.setConnectionMode('reset');
    const reset = (await client.send(new ListTablesCommand({})).catch((error: unknown) => error)) as NodeJS.ErrnoException;
    await proxy.heal();
    const healed = await client.send(new ListTablesCommand({}));

    // Assert
    expect(refused.code).toBe('ECONNREFUSED');
    expect(reset.code).toBe('ECONNRESET');
    expect(proxy.stats.connectionsReset).toBeGreaterThan(0);
    expect(healed.TableNames).toEqual([]);
  });
});
