import { describe, expect, it, vi } from 'vitest';
import { PermanentError, RetryableError } from '../../../../lambdas/tag-extraction/domain/errors.js';
import { extractEntryTags } from '../../../../lambdas/tag-extraction/domain/extract-entry-tags.js';
import { EXTRACTION_TIME, fakeExtractor, InMemoryEntryTagStore } from '../../support/fake-extraction-ports.js';

const JOB = { ownerId: 'user-a', entryId: '01JDQ8Z6X4M1V9T3K7N2P5R8WA', revision: 1 };
const TEXT = 'Heute habe ich eine Anwendung mit Django geschrieben und auf ImaginaryNoneExistence Cloud deployed.';

function setup(
  extractor = fakeExtractor({
    tags: ['Django', 'Python', 'imaginarynoneexistence cloud'],
    model: 'gpt-4o-mini-2024-07-18',
    usage: { inputTokens: 210, outputTokens: 18 },
  }),
) {
  const store = new InMemoryEntryTagStore();
  const deps = { store, extractor, now: () => EXTRACTION_TIME, promptVersion: 2, extractorVersion: '1.1.0' };
  return { store, extractor, deps };
}

describe('extractEntryTags', () => {
  it('tags a pending entry with grounded tags, the model, the prompt version and the extractor version', async () => {
    // Arrange
    const { store, extractor, deps } = setup();
    store.put(JOB.ownerId, JOB.entryId, { entry: TEXT, status: 'pending' });

    // Act
    const outcome = await extractEntryTags(deps, JOB);

    // Assert
    expect(extractor.extract).toHaveBeenCalledWith(TEXT, {});
    expect(store.stored(JOB.ownerId, JOB.entryId)).toEqual({
      entry: TEXT,
      status: 'done',
      tags: ['Django', 'ImaginaryNoneExistence Cloud'],
      model: 'gpt-4o-mini-2024-07-18',
      promptVersion: 2,
      extractorVersion: '1.1.0',
      error: undefined,
      updatedAt: EXTRACTION_TIME.toISOString(),
    });
    expect(outcome).toEqual({
      kind: 'tagged',
      model: 'gpt-4o-mini-2024-07-18',
      usage: { inputTokens: 210, outputTokens: 18 },
      tags: ['Django', 'ImaginaryNoneExistence Cloud'],
      dropped: [{ candidate: 'Python', reason: 'ungrounded' }],
    });
  });

  it('skips an entry already tagged by this prompt version before calling the model', async () => {
    // Arrange
    const { store, extractor, deps } = setup();
    store.put(JOB.ownerId, JOB.entryId, { entry: TEXT, status: 'done', promptVersion: 2, tags: ['Django'] });

    // Act
    const outcome = await extractEntryTags(deps, JOB);

    // Assert
    expect(outcome).toEqual({ kind: 'already-done' });
    expect(extractor.extract).not.toHaveBeenCalled();
    expect(store.stored(JOB.ownerId, JOB.entryId)?.tags).toEqual(['Django']);
  });

  it('skips an entry tagged by a newer prompt version', async () => {
    // Arrange
    const { store, extractor, deps } = setup();
    store.put(JOB.ownerId, JOB.entryId, { entry: TEXT, status: 'done', promptVersion: 3 });

    // Act
    const outcome = await extractEntryTags(deps, JOB);

    // Assert
    expect(outcome).toEqual({ kind: 'already-done' });
    expect(extractor.extract).not.toHaveBeenCalled();
  });

  it.each([
    ['an older prompt version', 1],
    ['no recorded prompt version', undefined],
  ])('re-tags an entry done by %s (a backfill)', async (_name, promptVersion) => {
    // Arrange
    const { store, extractor, deps } = setup();
    store.put(JOB.ownerId, JOB.entryId, { entry: TEXT, status: 'done', promptVersion, tags: ['Django'] });

    // Act
    const outcome = await extractEntryTags(deps, JOB);

    // Assert
    expect(outcome.kind).toBe('tagged');
    expect(extractor.extract).toHaveBeenCalledOnce();
    expect(store.stored(JOB.ownerId, JOB.entryId)).toMatchObject({ promptVersion: 2, tags: ['Django', 'ImaginaryNoneExistence Cloud'] });
  });

  it('acknowledges a job whose entry is gone, without calling the model', async () => {
    // Arrange
    const { extractor, deps } = setup();

    // Act
    const outcome = await extractEntryTags(deps, JOB);

    // Assert
    expect(outcome).toEqual({ kind: 'entry-missing' });
    expect(extractor.extract).not.toHaveBeenCalled();
  });

  it('fails permanently for an entry marked failed, without calling the model', async () => {
    // Arrange
    const { store, extractor, deps } = setup();
    store.put(JOB.ownerId, JOB.entryId, { entry: TEXT, status: 'failed', error: 'gave up' });

    // Act
    const attempt = extractEntryTags(deps, JOB);

    // Assert
    await expect(attempt).rejects.toBeInstanceOf(PermanentError);
    expect(extractor.extract).not.toHaveBeenCalled();
  });

  it('reports a lost race when another delivery tagged the entry meanwhile', async () => {
    // Arrange
    const { store, deps } = setup();
    store.put(JOB.ownerId, JOB.entryId, { entry: TEXT, status: 'pending' });
    deps.extractor.extract.mockImplementation(async () => {
      store.put(JOB.ownerId, JOB.entryId, { entry: TEXT, status: 'done', promptVersion: 2, tags: ['Django'], model: 'other' });
      return { tags: ['Django'], model: 'mine' };
    });

    // Act
    const outcome = await extractEntryTags(deps, JOB);

    // Assert
    expect(outcome).toEqual({ kind: 'lost-race' });
    expect(store.stored(JOB.ownerId, JOB.entryId)?.model).toBe('other');
  });

  it("passes the extractor's failure on and writes nothing", async () => {
    // Arrange
    const { store, deps } = setup(fakeExtractor(new RetryableError('OpenAI answered 429', 20)));
    store.put(JOB.ownerId, JOB.entryId, { entry: TEXT, status: 'pending' });
    const saveTags = vi.spyOn(store, 'saveTags');

    // Act
    const attempt = extractEntryTags(deps, JOB);

    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'RetryableError', retryAfterSeconds: 20 });
    expect(saveTags).not.toHaveBeenCalled();
    expect(store.stored(JOB.ownerId, JOB.entryId)?.status).toBe('pending');
  });

  it('stores an empty tag list when the entry names no technology', async () => {
    // Arrange
    const { store, deps } = setup(fakeExtractor({ tags: [], model: 'gpt-4o-mini' }));
    store.put(JOB.ownerId, JOB.entryId, { entry: 'Heute nur Meetings.', status: 'pending' });

    // Act
    const outcome = await extractEntryTags(deps, JOB);

    // Assert
    expect(outcome).toMatchObject({ kind: 'tagged', tags: [] });
    expect(store.stored(JOB.ownerId, JOB.entryId)).toMatchObject({ status: 'done', tags: [] });
  });

  it('leaves an entry edited since the job was sent alone, without calling the model', async () => {
    // Arrange
    const { store, extractor, deps } = setup();
    store.put(JOB.ownerId, JOB.entryId, { entry: 'New text about Rust.', status: 'pending', revision: 2 });

    // Act
    const outcome = await extractEntryTags(deps, JOB);

    // Assert
    expect(outcome).toEqual({ kind: 'superseded', currentRevision: 2 });
    expect(extractor.extract).not.toHaveBeenCalled();
  });

  it('tags the revision the job is for', async () => {
    // Arrange
    const { store, deps } = setup();
    store.put(JOB.ownerId, JOB.entryId, { entry: TEXT, status: 'pending', revision: 4 });

    // Act
    const outcome = await extractEntryTags(deps, { ...JOB, revision: 4 });

    // Assert
    expect(outcome).toMatchObject({ kind: 'tagged', tags: ['Django', 'ImaginaryNoneExistence Cloud'] });
    expect(store.stored(JOB.ownerId, JOB.entryId)).toMatchObject({ status: 'done', revision: 4 });
  });

  it.each([
    [
      'edited',
      { kind: 'superseded', currentRevision: 2 },
      (store: InMemoryEntryTagStore) =>
        store.put(JOB.ownerId, JOB.entryId, { entry: 'New text about Rust.', status: 'pending', revision: 2 }),
    ],
    ['deleted', { kind: 'entry-missing' }, (store: InMemoryEntryTagStore) => store.delete(JOB.ownerId, JOB.entryId)],
  ])('writes nothing when the entry is %s while the model answers, and says why', async (_change, expected, change) => {
    // Arrange
    const { store, deps } = setup();
    store.put(JOB.ownerId, JOB.entryId, { entry: TEXT, status: 'pending' });
    deps.extractor.extract.mockImplementation(async () => {
      change(store);
      return { tags: ['Django'], model: 'mine' };
    });

    // Act
    const outcome = await extractEntryTags(deps, JOB);

    // Assert
    expect(outcome).toEqual(expected);
    expect(store.stored(JOB.ownerId, JOB.entryId)?.status ?? 'gone').not.toBe('done');
  });
});
