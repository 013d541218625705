import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

let sequence = 1000;

/** A plain value as a DynamoDB attribute value (the types entry items use). */
export function attributeValue(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(attributeValue) };
  if (value && typeof value === 'object') return { M: image(value as Record<string, unknown>) };
  return { NULL: true };
}

function image(item: Record<string, unknown>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, attributeValue(value)]));
}

/** An entry item as the entries table holds it, with the given tag values. */
export function entryItem(ownerId: string, entryId: string, tags: string[], extra: Record<string, unknown> = {}) {
  return {
    pk: `OWNER#${ownerId}`,
    sk: `ENTRY#${entryId}`,
    id: entryId,
    ownerId,
    entry: 'text',
    status: tags.length > 0 ? 'done' : 'pending',
    tags: tags.map((value) => ({ type: 'tech-stack', value })),
    createdAt: '2026-01-10T09:00:00.000Z',
    ...extra,
  };
}

/** A stream record of the entries table with NEW_AND_OLD_IMAGES, as Lambda delivers it. */
export function streamRecord(change: {
  oldItem?: Record<string, unknown>;
  newItem?: Record<string, unknown>;
  sequenceNumber?: string;
}): DynamoDBRecord {
  const item = change.newItem ?? change.oldItem ?? {};
  const sequenceNumber = change.sequenceNumber ?? String(++sequence).padStart(21, '0');
  return {
    eventID: `event-${sequenceNumber}`,
    eventName: change.oldItem ? (change.newItem ? 'MODIFY' : 'REMOVE') : 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-central-1',
    eventSourceARN: 'arn:aws:dynamodb:eu-central-1:123456789012:table/devlog-entries/stream/2026-01-01T00:00:00.000',
    dynamodb: {
      ApproximateCreationDateTime: 1_767_000_000,
      Keys: { pk: { S: String(item.pk) }, sk: { S: String(item.sk) } },
      ...(change.newItem ? { NewImage: image(change.newItem) } : {}),
      ...(change.oldItem ? { OldImage: image(change.oldItem) } : {}),
      SequenceNumber: sequenceNumber,
      SizeBytes: 200,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** A stream event of these records. */
export function streamEvent(...records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}
