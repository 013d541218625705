import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jobMessageFor, type JobMessageVersion } from '../../lambdas/contract/index.js';
import type { Answer, ModelServer } from '../../tools/tag-extraction/model-server/index.js';
import type { ApiClient, EntryView } from '../support/api-client.js';
import { vocabularyAnswer } from '../support/entries.js';
import { expectAnswerMatchesDocument } from '../support/openapi.js';
import { peekJobs, queueDepth } from '../support/queues.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait.js';
import { waitForCounts } from './support/tech-stack.js';

/*
 * Edits and deletions through the whole local stack (API, queue, extraction, stream, aggregator),
 * with the interleavings that matter forced by holding the model's answers: a late extraction of
 * an old text must never overwrite the new text's tags, and the tech-stack counts stay exact
 * through duplicate jobs.
 */

let model: ModelServer;
let test: TestStack;

beforeAll(async () => {
  test = await startTestStack({
    model: { answer: vocabularyAnswer },
    env: {
      // No reconciler re-sends: every job here is one the API or the test sends.
      RECONCILE_GRACE_SECONDS: '300',
    },
  });
  model = test.model!;
});

afterAll(async () => {
  await test?.stop();
});

beforeEach(() => {
  model.answer = vocabularyAnswer;
});

/**
 * A per-text hold: the model answers `text` only once released (with `reply`, by default the
 * vocabulary's tags), and says when its request arrived.
 */
function holdAnswerFor(text: string, reply: Answer = vocabularyAnswer) {
  const arrived = Promise.withResolvers<void>();
  const released = Promise.withResolvers<void>();
  const previous = model.answer;
  model.answer = async (request) => {
    if (request.entry === text) {
      arrived.resolve();
      await released.promise;
      return reply(request);
    }
    return previous(request);
  };
  return { arrived: arrived.promise, release: () => released.resolve() };
}

async function waitForEntry(client: ApiClient, id: string, accept: (entry: EntryView) => boolean, what: string): Promise<EntryView> {
  let last: EntryView | undefined;
  return waitFor(
    async () => {
      last = await client.get(id);
      return last && accept(last) ? last : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 25, what, describe: () => JSON.stringify(last) },
  );
}

async function postAndWait(client: ApiClient, text: string): Promise<EntryView> {
  const posted = await client.post(text);
  expect(posted.status).toBe(202);
  return waitForEntry(client, posted.body.id as string, (entry) => entry.status === 'done', `${text} to be tagged`);
}

/** Waits until no job is queued or in flight: every job sent so far has been acknowledged. */
async function waitForJobsSettled(): Promise<void> {
  let depth = '';
  await waitFor(
    async () => {
      const { visible, inFlight, delayed } = await queueDepth(test.ops.sqsClient, test.ops.queueUrl);
      depth = `${visible} visible, ${inFlight} in flight, ${delayed} delayed`;
      return visible + inFlight + delayed === 0 ? true : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 25, what: 'the jobs queue to drain', describe: () => depth },
  );
}

async function sendJobCopies(entry: { id: string; revision: number }, ownerId: string, version: JobMessageVersion, copies: number) {
  const body = JSON.stringify(jobMessageFor({ ...entry, ownerId }, new Date(), version));
  await test.ops.sqsClient.send(
    new SendMessageBatchCommand({
      QueueUrl: test.ops.queueUrl,
      Entries: Array.from({ length: copies }, (_, index) => ({ Id: String(index), MessageBody: body })),
    }),
  );
}

const tagsOf = (entry: EntryView | undefined) => entry?.tags.map((tag) => tag.value);

describe('PATCH /logs/{id} through the local stack', () => {
  it('a late extraction of the old text, answered after the new text is tagged, never overwrites it; counts stay exact', async () => {
    // Arrange: another entry already counts Django; the old text's answer is held
    const client = await test.client('race-late-user');
    await postAndWait(client, '[late-other] Ein Dienst mit Django.');
    const oldText = '[late] Heute mit Django und Redis gebaut.';
    const newText = '[late] Doch lieber mit Rust und Kafka.';
    const held = holdAnswerFor(oldText);
    const posted = await client.post(oldText);
    const id = posted.body.id as string;
    await held.arrived;

    // Act: edit while the old extraction waits for its answer, let the new one finish, then release the old
    const patched = await client.patch(id, newText);
    const retagged = await waitForEntry(client, id, (entry) => entry.status === 'done', 'the new text to be tagged');
    held.release();
    await waitForJobsSettled();

    // Assert
    expect(patched.status).toBe(202);
    expectAnswerMatchesDocument('PATCH', '/logs/{id}', {
      status: patched.status,
      headers: Object.fromEntries(patched.headers),
      body: JSON.stringify(patched.body),
    });
    expect(patched.body).toMatchObject({ id, entry: newText, status: 'pending', tags: [], revision: 2 });
    expect(patched.headers.get('location')).toBe(`/logs/${id}`);
    expect(model.requestsFor(oldText)).toBe(1);
    expect(retagged).toMatchObject({ entry: newText, revision: 2 });
    expect(tagsOf(retagged)).toEqual(['Rust', 'Kafka']);
    expect(await client.get(id)).toEqual(retagged);
    await waitForCounts(client, { Kafka: 1, Rust: 1, Django: 1 });
    expect(await peekJobs(test.ops.sqsClient, test.ops.dlqUrl)).toEqual([]);
  }, 60_000);

  it('a late extraction of the old text, answered while the new text is still pending, writes nothing', async () => {
    // Arrange: both texts' answers held
    const client = await test.client('race-pending-user');
    const oldText = '[pending] Heute mit Terraform gebaut.';
    const newText = '[pending] Doch mit Docker und Svelte.';
    const heldOld = holdAnswerFor(oldText);
    const heldNew = holdAnswerFor(newText);
    const id = (await client.post(oldText)).body.id as string;
    await heldOld.arrived;

    // Act: the edit's extraction waits too; the old one is answered first and must not land
    expect((await client.patch(id, newText)).status).toBe(202);
    await heldNew.arrived;
    heldOld.release();
    await waitFor(async () => ((await queueDepth(test.ops.sqsClient, test.ops.queueUrl)).inFlight === 1 ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 25,
      what: "the old text's job to be acknowledged",
    });
    const whileNewHeld = await client.get(id);
    heldNew.release();
    const done = await waitForEntry(client, id, (entry) => entry.status === 'done', 'the new text to be tagged');
    await waitForJobsSettled();

    // Assert
    expect(whileNewHeld).toMatchObject({ entry: newText, status: 'pending', tags: [], revision: 2 });
    expect(tagsOf(done)).toEqual(['Docker', 'Svelte']);
    await waitForCounts(client, { Docker: 1, Svelte: 1 });
    expect(await peekJobs(test.ops.sqsClient, test.ops.dlqUrl)).toEqual([]);
  }, 60_000);

  it('duplicate jobs of both revisions after an edit change nothing: no model call, exact counts, empty DLQ', async () => {
    // Arrange: an entry tagged, edited, and tagged again
    const client = await test.client('edit-duplicates-user');
    const tagged = await postAndWait(client, '[dup] Ein Cluster mit Kubernetes und Redis.');
    expect((await client.patch(tagged.id, '[dup] Nur noch Redis und GraphQL.')).status).toBe(202);
    const retagged = await waitForEntry(client, tagged.id, (entry) => entry.status === 'done', 'the edit to be tagged');
    await waitForJobsSettled();
    await waitForCounts(client, { GraphQL: 1, Redis: 1 });
    model.clearRecording();

    // Act: a version 1 job twice (for the current text, already tagged) and the new revision's twice (version 2)
    await sendJobCopies({ id: tagged.id, revision: 1 }, 'edit-duplicates-user', 1, 2);
    await sendJobCopies({ id: tagged.id, revision: 2 }, 'edit-duplicates-user', 2, 2);
    await waitForJobsSettled();

    // Assert
    expect(model.requests).toEqual([]);
    expect(await client.get(tagged.id)).toEqual(retagged);
    await waitForCounts(client, { GraphQL: 1, Redis: 1 });
    expect(await peekJobs(test.ops.sqsClient, test.ops.dlqUrl)).toEqual([]);
  }, 60_000);

  it("answers 404 for another owner's entry, like a missing one", async () => {
    // Arrange
    const owner = await test.client('edit-owner');
    const other = await test.client('edit-intruder');
    const entry = await postAndWait(owner, '[owner] Mit DynamoDB.');

    // Act
    const foreign = await other.patch(entry.id, 'taken over');
    const missing = await owner.patch('01JDQ8Z6X4M1V9T3K7N2P5ZZZZ', 'nothing');

    // Assert
    expect([foreign.status, missing.status]).toEqual([404, 404]);
    expect(await owner.get(entry.id)).toEqual(entry);
  }, 30_000);
});

describe('DELETE /logs/{id} through the local stack', () => {
  it.each([
    ['answers with tags', vocabularyAnswer],
    ['fails for good (400)', (() => ({ status: 400, error: { message: 'invalid request', type: 'invalid_request_error' } })) as Answer],
  ])(
    'with a job in flight whose model %s: 204, the job finds the entry gone and is acknowledged, nothing in the DLQ, counts exact',
    async (_case, reply) => {
      // Arrange: another entry counts Django; this one's extraction is held at the model
      const client = await test.client(`delete-in-flight-${reply === vocabularyAnswer ? 'tags' : 'fails'}`);
      await postAndWait(client, `[in-flight-other-${_case}] Ein Dienst mit Django.`);
      const text = `[in-flight-${_case}] Heute mit Django und RabbitMQ gebaut.`;
      const held = holdAnswerFor(text, reply);
      const id = (await client.post(text)).body.id as string;
      await held.arrived;

      // Act
      const deleted = await client.delete(id);
      held.release();
      await waitForJobsSettled();

      // Assert
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expectAnswerMatchesDocument('DELETE', '/logs/{id}', {
        status: deleted.status,
        headers: Object.fromEntries(deleted.headers),
        body: deleted.text,
      });
      expect(await client.get(id)).toBeUndefined();
      expect((await client.listAll()).map((entry) => entry.id)).not.toContain(id);
      expect(model.requestsFor(text)).toBe(1);
      expect(await peekJobs(test.ops.sqsClient, test.ops.dlqUrl)).toEqual([]);
      await waitForCounts(client, { Django: 1 });
    },
    60_000,
  );

  it('takes a tagged entry out of the profile exactly once, through duplicate jobs after the deletion', async () => {
    // Arrange
    const client = await test.client('delete-tagged-user');
    const kept = await postAndWait(client, '[kept] Wieder mit PostgreSQL.');
    const tagged = await postAndWait(client, '[deleted] Mit PostgreSQL und Elasticsearch.');
    await waitForCounts(client, { PostgreSQL: 2, Elasticsearch: 1 });
    await waitForJobsSettled();
    model.clearRecording();

    // Act
    expect((await client.delete(tagged.id)).status).toBe(204);
    await sendJobCopies({ id: tagged.id, revision: 1 }, 'delete-tagged-user', 1, 2);
    await waitForJobsSettled();

    // Assert
    expect(model.requests).toEqual([]);
    expect(await peekJobs(test.ops.sqsClient, test.ops.dlqUrl)).toEqual([]);
    const profile = await waitForCounts(client, { PostgreSQL: 1 });
    expect(profile).toEqual({ items: [{ value: 'PostgreSQL', count: 1, firstSeen: kept.createdAt, lastSeen: kept.createdAt }] });
    expect((await client.delete(tagged.id)).status).toBe(404);
  }, 60_000);

  it("answers 404 for another owner's entry and keeps it", async () => {
    // Arrange
    const owner = await test.client('delete-owner');
    const other = await test.client('delete-intruder');
    const entry = await postAndWait(owner, '[delete-owner] Mit Redis.');

    // Act
    const foreign = await other.delete(entry.id);

    // Assert
    expect(foreign.status).toBe(404);
    expect(await owner.get(entry.id)).toEqual(entry);
  }, 30_000);
});

describe('GET /logs?tag= through the local stack', () => {
  it("pages through the caller's entries carrying a tag, any case, newest first, following an edit and a deletion", async () => {
    // Arrange: five entries name Kafka, one does not, another user's does
    const client = await test.client('tag-filter-user');
    const other = await test.client('tag-filter-other');
    const kafka: EntryView[] = [];
    for (let index = 0; index < 5; index++) kafka.push(await postAndWait(client, `[tag-${index}] Streams mit Kafka und Redis.`));
    await postAndWait(client, '[tag-x] Nur Redis heute.');
    await postAndWait(other, '[tag-other] Auch Kafka.');
    await waitForCounts(client, { Redis: 6, Kafka: 5 });
    expect((await client.patch(kafka[1]!.id, '[tag-1] Umgestellt auf RabbitMQ.')).status).toBe(202);
    await waitForEntry(client, kafka[1]!.id, (entry) => entry.status === 'done', 'the edit to be tagged');
    expect((await client.delete(kafka[3]!.id)).status).toBe(204);
    await waitForCounts(client, { Redis: 4, Kafka: 3, RabbitMQ: 1 });

    // Act: two per page, the tag spelled in another case
    const pages: { status: number; headers: Headers; text: string; body: { items?: EntryView[]; nextCursor?: string } }[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.list({ tag: 'kAfKa', limit: '2', ...(cursor ? { cursor } : {}) });
      pages.push(page);
      cursor = page.body.nextCursor;
    } while (cursor);

    // Assert
    for (const page of pages) {
      expect(page.status).toBe(200);
      expectAnswerMatchesDocument('GET', '/logs', { status: page.status, headers: Object.fromEntries(page.headers), body: page.text });
    }
    expect(pages.flatMap((page) => page.body.items ?? []).map((entry) => entry.id)).toEqual([kafka[4]!.id, kafka[2]!.id, kafka[0]!.id]);
    expect(pages[0]!.body.items?.[0]).toEqual(kafka[4]);
    expect((await client.list({ tag: 'COBOL' })).body).toEqual({ items: [] });
  }, 90_000);
});
