import { Logger } from '@aws-lambda-powertools/logger';
import { readEntryEventsEnv } from './env.js';
import { createEntryEventsHandler, createEventBridgeClient } from './handler-factory.js';

/** DynamoDB stream entry point: the entries table's changes as entry events on the stage's bus (the Lambda wiring of createEntryEventsHandler). */
export const handler = createEntryEventsHandler(readEntryEventsEnv(process.env), {
  eventBridgeClient: createEventBridgeClient(),
  logger: new Logger({ serviceName: 'devlog-entry-events' }),
});
