import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type LocalStream, type LocalStreamOptions, startLocalStream } from '../../../local/emulators/dynamodb-stream.js';

/**
 * Starts the stream stand-in over the entries table `tableName` (keys pk and sk) of the dynalite at
 * `endpoint` as the stream tests use it: every record, batches of 10, a 60 s function and no log
 * lines, unless `options` says otherwise.
 */
export function startEntryStream(
  client: DynamoDBClient,
  endpoint: string,
  tableName: string,
  options: Pick<LocalStreamOptions, 'retryAttempts'> & Partial<LocalStreamOptions>,
): Promise<LocalStream> {
  return startLocalStream({
    client,
    targetEndpoint: endpoint,
    table: { tableName, keyAttributes: ['pk', 'sk'] },
    filter: () => true,
    batchSize: 10,
    functionTimeoutSeconds: 60,
    log: () => undefined,
    ...options,
  });
}
