import * as z from 'zod/mini';
import { ENTRY_ID_PATTERN, OWNER_ID_MAX_LENGTH } from './job-message.js';

/*
 * The events the product's other prompts consume: the web team publishes them on the stage's
 * EventBridge bus from the entries table's stream (never from a write beside the tag write).
 * Like the job message, each detail is versioned and its JSON Schema is committed and gated
 * (tools/shared/contract-gate): a published version's fields never change, new fields are optional.
 * Delivery is at least once: consumers dedupe on `entryId` + `revision` (README, "Events").
 */

/** The `source` of every event of ours. */
export const ENTRY_EVENT_SOURCE = 'devlog-tags';

/** Every `detail-type` we publish. */
export const ENTRY_EVENT_DETAIL_TYPES = ['EntryTagged', 'EntryTaggingFailed', 'EntryDeleted'] as const;

/** A `detail-type` we publish. */
export type EntryEventDetailType = (typeof ENTRY_EVENT_DETAIL_TYPES)[number];

const TagSchema = z.object({ type: z.literal('tech-stack'), value: z.string().check(z.minLength(1)) });

const commonFields = {
  version: z.literal(1),
  ownerId: z.string().check(z.minLength(1), z.maxLength(OWNER_ID_MAX_LENGTH)),
  entryId: z.string().check(z.regex(ENTRY_ID_PATTERN)),
  /** The entry's text revision (1 when created, +1 per edit). */
  revision: z.number().check(z.int(), z.minimum(1)),
  /** The entry's tags when the event happened (none while it has none). */
  tags: z.array(TagSchema),
  /** The model, prompt and extraction service that wrote the tags; null before any did. */
  model: z.nullable(z.string()),
  promptVersion: z.nullable(z.number().check(z.int())),
  extractorVersion: z.nullable(z.string()),
  /** When it happened (ISO 8601): the entry's last update, or the deletion's time. */
  occurredAt: z.iso.datetime(),
};

/** `EntryTagged` v1: the entry became `done`, or its tags changed; with its text, so a consumer can build its prompt without calling back. */
export const EntryTaggedV1Schema = z.object({ ...commonFields, text: z.string() });

/** `EntryTaggingFailed` v1: the entry became `failed`; `error` is the reason the extraction gave. */
export const EntryTaggingFailedV1Schema = z.object({ ...commonFields, error: z.nullable(z.string()) });

/** `EntryDeleted` v1: the entry is gone; its last tags and revision, never its text. */
export const EntryDeletedV1Schema = z.object(commonFields);

/** The schema of every published version of each detail-type (the contract gate keeps them stable). */
export const ENTRY_EVENT_SCHEMAS = {
  EntryTagged: { 1: EntryTaggedV1Schema },
  EntryTaggingFailed: { 1: EntryTaggingFailedV1Schema },
  EntryDeleted: { 1: EntryDeletedV1Schema },
} as const satisfies Record<EntryEventDetailType, Record<number, z.ZodMiniType>>;

/** The version of each detail-type we publish now. */
export const LATEST_ENTRY_EVENT_VERSION = 1;

/** The detail of an event, by detail-type. */
export type EntryEventDetail<T extends EntryEventDetailType = EntryEventDetailType> = z.infer<(typeof ENTRY_EVENT_SCHEMAS)[T][1]>;

/** One event as the publisher puts it on the bus. */
export type EntryEvent = {
  [T in EntryEventDetailType]: { detailType: T; detail: EntryEventDetail<T> };
}[EntryEventDetailType];

/** Checks an event's detail against its detail-type's schema; throws on a detail the contract does not allow. */
export function validEntryEvent(event: EntryEvent): EntryEvent {
  const schema = ENTRY_EVENT_SCHEMAS[event.detailType][LATEST_ENTRY_EVENT_VERSION];
  return { detailType: event.detailType, detail: schema.parse(event.detail) } as EntryEvent;
}

/**
 * The envelope EventBridge delivers an event in (rules, targets, API destinations), which the
 * local stack writes and posts as well.
 */
export interface EventBridgeEnvelope<D = unknown> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: D;
}
