import {
  DeleteMessageBatchCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { forwardedJobSendParameters } from '../lambdas/contract/index.js';

/** Moves every message of a DLQ back to the queue it came from; returns how many moved. */
export type DlqMover = (onProgress: (moved: number) => void) => Promise<number>;

/** AWS: SQS's own redrive (StartMessageMoveTask), followed until it completes. */
export function messageMoveTask(client: SQSClient, dlqArn: string, pollMs = 2000): DlqMover {
  return async (onProgress) => {
    const { TaskHandle } = await client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    for (;;) {
      const { Results = [] } = await client.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
      const task = Results.find((result) => result.TaskHandle === TaskHandle) ?? Results[0];
      onProgress(task?.ApproximateNumberOfMessagesMoved ?? 0);
      if (task?.Status === 'COMPLETED') return task.ApproximateNumberOfMessagesMoved ?? 0;
      if (task?.Status === 'FAILED' || task?.Status === 'CANCELLED') {
        throw new Error(`message move task ${task.Status}: ${task.FailureReason ?? 'no reason given'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };
}

/**
 * The local emulator has no StartMessageMoveTask, so move by hand: receive, send to the jobs
 * queue (in its owner's message group), then delete, ten at a time. A crash in between
 * duplicates a message, never loses one.
 * `onMoved` gets the body of every message moved.
 */
export function receiveSendDelete(
  client: SQSClient,
  dlqUrl: string,
  queueUrl: string,
  onMoved: (body: string) => void = () => {},
): DlqMover {
  return async (onProgress) => {
    let moved = 0;
    for (;;) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30 }),
      );
      if (Messages.length === 0) return moved;
      const { Successful = [], Failed = [] } = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, index) => ({ Id: String(index), ...forwardedJobSendParameters(message.Body ?? '') })),
        }),
      );
      if (Successful.length > 0) {
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: dlqUrl,
            Entries: Successful.map(({ Id }) => ({ Id, ReceiptHandle: Messages[Number(Id)]?.ReceiptHandle })),
          }),
        );
      }
      moved += Successful.length;
      for (const { Id } of Successful) onMoved(Messages[Number(Id)]?.Body ?? '');
      onProgress(moved);
      if (Failed.length > 0) {
        throw new Error(`could not send ${Failed.length} messages back: ${Failed[0]?.Message ?? Failed[0]?.Code}`);
      }
    }
  };
}
