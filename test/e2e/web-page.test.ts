import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAILED_BUCKET } from '../../lambdas/contract/index.js';
import { killLaunchedStacks } from '../../local/stack-launcher.js';
import { localTarget } from '../../ops/targets.js';
import {
  postEntry,
  waitForEntry,
  SEED_ENTRY,
  spawnLocalStack,
  temporaryDataDir,
  tokenFromCli,
  type StackProcess,
} from './support/local-stack-process.js';
import { offlineDictionary } from '../../tools/tag-extraction/model-server/index.js';
import { ApiClient } from '../support/api-client.js';
import { putEntryItem } from '../support/entry-items.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitFor } from '../support/wait.js';

/*
 * The local web page in headless Chromium against a stack on the offline stand-in: what a
 * newcomer does first after `npm start`. Uses Debian's chromium (apt-get install -y chromium)
 * driven by playwright-core, so no browser download is needed.
 */

const CHROMIUM = '/usr/bin/chromium';
/** Small enough for one test to use up; the other tests' users stay well under it. */
const DAILY_ENTRY_QUOTA = 15;
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`web page test skipped: ${CHROMIUM} not found (install it with: apt-get install -y chromium)`);
}

/** Debian's headless Chromium with a profile of its own, without anything that reaches the network. */
function launchChromium(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

describe.skipIf(!hasChromium)('local web page', () => {
  let data: Awaited<ReturnType<typeof temporaryDataDir>>;
  let stack: StackProcess;
  let profileDir: string;
  let browser: BrowserContext | undefined;

  beforeAll(async () => {
    data = await temporaryDataDir();
    profileDir = await mkdtemp(path.join(tmpdir(), 'devlog-chromium-'));
    [stack, browser] = await Promise.all([
      spawnLocalStack({ DATA_DIR: data.dataDir, DAILY_ENTRY_QUOTA: String(DAILY_ENTRY_QUOTA) }),
      launchChromium(profileDir),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await killLaunchedStacks();
    await data?.remove();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  it('submits the seed entry and shows it done with its tags, with the dev token prefilled', async () => {
    const page = await browser!.newPage();
    await page.goto(stack.webUrl);

    expect(await page.locator('#token').inputValue()).toBe(stack.token);
    await page.locator('#entry').fill(SEED_ENTRY);
    await page.locator('#submit').click();
    const card = page.locator('#recent .card', { hasText: 'ImaginaryNoneExistence' });
    await card.locator('.status.done').waitFor({ timeout: 20_000 });

    expect(await card.count()).toBe(1);
    expect(await card.locator('.tag').allTextContents()).toEqual(['Django', 'Elasticsearch', 'ImaginaryNoneExistence Cloud']);
    expect(await page.locator('#error').textContent()).toBe('');
  });

  it("shows the user's tech stack with a count per technology once the entry is tagged", async () => {
    const page = await browser!.newPage();
    await page.goto(stack.webUrl);

    await page.locator('#tech-stack .tag', { hasText: 'Django' }).waitFor({ timeout: 20_000 });

    expect(await page.locator('#tech-stack .tag', { hasText: 'Django' }).locator('.count').textContent()).toMatch(/^[1-9]\d*$/);
  });

  it('shows the profile a page at a time: "More" appends the next page until the last', async () => {
    // The API's pages (50 technologies each) stand in for a long history: page 1 says more follow.
    const page = await browser!.newPage();
    const technology = (n: number) => ({
      value: `T${n}x`,
      count: 200 - n,
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastSeen: '2026-02-01T00:00:00.000Z',
    });
    const requested: string[] = [];
    await page.route(/\/me\/tech-stack(\?.*)?$/, (route) => {
      const cursor = new URL(route.request().url()).searchParams.get('cursor');
      requested.push(cursor ?? 'first');
      const body =
        cursor === 'page-2'
          ? { items: [50, 51].map(technology) }
          : { items: Array.from({ length: 50 }, (_, n) => technology(n)), nextCursor: 'page-2' };
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
    });
    await page.goto(stack.webUrl);
    await page.locator('#tech-stack .tag', { hasText: 'T49x' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#tech-stack .tag').count()).toBe(50);

    await page.getByRole('button', { name: 'More technologies' }).click();
    await page.locator('#tech-stack .tag', { hasText: 'T51x' }).waitFor({ timeout: 5_000 });

    expect(await page.locator('#tech-stack .tag').count()).toBe(52);
    expect(await page.locator('#tech-stack-more').isHidden()).toBe(true);
    expect(requested).toEqual(['first', 'page-2']);
  });

  it('creates one entry when the same typed text is submitted twice (one Idempotency-Key per typed entry)', async () => {
    const page = await browser!.newPage();
    await page.goto(stack.webUrl);
    const text = `Double submit ${Date.now()} mit Django`;

    await page.locator('#entry').fill(text);
    // Two submits before the first answer, as a double click or Enter pressed twice would send.
    await page.evaluate("const form = document.getElementById('entry-form'); form.requestSubmit(); form.requestSubmit();");
    await page.locator('#recent .card', { hasText: text }).locator('.status.done').waitFor({ timeout: 20_000 });

    const response = await fetch(`${stack.apiUrl}/logs?limit=100`, { headers: { authorization: `Bearer ${stack.token}` } });
    const { items } = (await response.json()) as { items: { entry: string }[] };
    expect(items.filter((entry) => entry.entry === text)).toHaveLength(1);
    expect(await page.locator('#entry').inputValue()).toBe('');
  });

  it("clears the previous user's entries on a bad token and says how to get one", async () => {
    const page = await browser!.newPage();
    await page.goto(stack.webUrl);
    await page.locator('#recent .card').first().waitFor({ timeout: 10_000 });

    await page.locator('#token').fill('not-a-token');
    await page.locator('#token').dispatchEvent('change');
    await page.locator('#error', { hasText: 'npm run --silent token -- <user>' }).waitFor({ timeout: 5_000 });

    expect(await page.locator('#recent .card').count()).toBe(0);
    expect(await page.locator('#tech-stack .tag').count()).toBe(0);
  });

  it('keeps everything within a narrow screen', async () => {
    const page = await browser!.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(stack.webUrl);
    await page.locator('#recent .card').first().waitFor({ timeout: 10_000 });

    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

    expect(overflow).toBe(0);
  });

  it('waits for a fresh entry with Prefer: wait instead of polling', async () => {
    const page = await browser!.newPage();
    const reads: (string | undefined)[] = [];
    page.on('request', (request) => {
      if (request.method() === 'GET' && /\/logs\/[0-9A-Z]{26}$/.test(request.url())) reads.push(request.headers().prefer);
    });
    await page.goto(stack.webUrl);

    const text = `Waiting ${Date.now()} mit Kafka`;
    await page.locator('#entry').fill(text);
    await page.locator('#submit').click();
    await page.locator('#recent .card', { hasText: text }).locator('.status.done').waitFor({ timeout: 20_000 });

    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((prefer) => prefer === 'wait=20')).toBe(true);
  });

  it('pages through the entries with More', async () => {
    const token = await tokenFromCli('pager', data.dataDir);
    for (let index = 0; index < 12; index++) await postEntry(stack.apiUrl, token.trim(), `Page entry ${index} mit Go`);
    const page = await browser!.newPage();
    await page.goto(stack.webUrl);
    await page.locator('#token').fill(token.trim());
    await page.locator('#token').dispatchEvent('change');
    await page.locator('#recent .card', { hasText: 'Page entry 11' }).waitFor({ timeout: 10_000 });

    expect(await page.locator('#recent .card').count()).toBe(10);
    await page.locator('#more').click();
    await page.locator('#recent .card', { hasText: 'Page entry 0 ' }).waitFor({ timeout: 10_000 });

    expect(await page.locator('#recent .card').count()).toBe(12);
    expect(await page.locator('#more').isHidden()).toBe(true);
  });

  it('shows in the list why an entry failed, and that a retry is under way for one that failed before', async () => {
    const token = (await tokenFromCli('unlucky', data.dataDir)).trim();
    const target = localTarget(data.dataDir);
    const base = {
      ownerId: 'unlucky',
      tags: [],
      revision: 1,
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:05:00.000Z',
    };
    await putEntryItem(target.documentClient, target.tableName, {
      ...base,
      id: '01JDQ8Z6X4M1V9T3K7N2P50001',
      entry: 'Gave up on this one',
      status: 'failed',
      error: 'model-unavailable',
      failedBucket: FAILED_BUCKET,
    });
    await putEntryItem(target.documentClient, target.tableName, {
      ...base,
      id: '01JDQ8Z6X4M1V9T3K7N2P50002',
      entry: 'Redriven one',
      status: 'pending',
      error: 'model-timeout',
    });
    target.documentClient.destroy();
    target.sqsClient.destroy();
    const page = await browser!.newPage();
    await page.goto(stack.webUrl);
    await page.locator('#token').fill(token);
    await page.locator('#token').dispatchEvent('change');

    await page
      .locator('#recent .card', { hasText: 'Gave up' })
      .locator('.error', { hasText: 'Failed: The tagging model answered with a server error.' })
      .waitFor({ timeout: 10_000 });
    await page
      .locator('#recent .card', { hasText: 'Redriven' })
      .locator('.retrying', { hasText: 'an earlier attempt failed (The tagging model did not answer in time.)' })
      .waitFor({ timeout: 10_000 });
  });

  /** A fresh user with these entries, all tagged, and a page signed in as them. */
  async function pageOfUserWith(userId: string, entries: string[]) {
    const token = (await tokenFromCli(userId, data.dataDir)).trim();
    const ids: string[] = [];
    for (const entry of entries) {
      const { status, body } = await postEntry(stack.apiUrl, token, entry);
      expect(status).toBe(202);
      ids.push(String(body.id));
    }
    let tags = 0;
    for (const id of ids) tags += (await waitForEntry(stack.apiUrl, token, id)).tags?.length ?? 0;
    // The profile trails the entries through the stream: start once it counts them all.
    await waitFor(
      async () => {
        const { items } = (await (
          await fetch(`${stack.apiUrl}/me/tech-stack`, { headers: { authorization: `Bearer ${token}` } })
        ).json()) as { items: { count: number }[] };
        return items.reduce((sum, item) => sum + item.count, 0) === tags ? true : undefined;
      },
      { timeoutMs: 20_000, what: `the tech stack of ${userId} to count its ${tags} tags` },
    );
    const page = await browser!.newPage();
    await page.goto(stack.webUrl);
    await page.locator('#token').fill(token);
    // Leaving the field is what changes the token, as for a user who pastes it and moves on.
    await page.locator('#token').press('Tab');
    // The page first shows the dev token's entries: wait for this user's list, all of it.
    for (const entry of entries) await page.locator('#recent .card', { hasText: entry }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#recent .card').count()).toBe(entries.length);
    return { page, token, ids };
  }

  it('lists only the entries of a technology when its chip is clicked, and all of them again on Show all', async () => {
    const { page } = await pageOfUserWith('filterer', [
      'Wrote the consumer for the Kafka topic',
      'Built the admin in Django',
      'Moved the Kafka cluster to three brokers',
    ]);

    await page.locator('#tech-stack .tag', { hasText: 'Kafka' }).click();
    await page.locator('#filter-tag', { hasText: 'Kafka' }).waitFor({ timeout: 5_000 });
    await page.locator('#recent .card', { hasText: 'Django' }).waitFor({ state: 'detached', timeout: 10_000 });

    expect(await page.locator('#recent .card .entry-text').allTextContents()).toEqual([
      'Moved the Kafka cluster to three brokers',
      'Wrote the consumer for the Kafka topic',
    ]);
    await page.locator('#clear-filter').click();
    await page.locator('#recent .card', { hasText: 'Django' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#recent .card').count()).toBe(3);
    expect(await page.locator('#filter').isHidden()).toBe(true);
  });

  it('edits an entry in place: the card shows the new text, re-extracts its tags, and the tech stack follows', async () => {
    const { page, token, ids } = await pageOfUserWith('editor', ['Tuned the Elasticsearch mapping']);
    const card = page.locator('#recent .card').first();
    await page.locator('#tech-stack .tag', { hasText: 'Elasticsearch' }).waitFor({ timeout: 10_000 });

    await card.locator('.edit').click();
    await card.locator('textarea').fill('Replaced the search with Postgres full-text');
    await card.locator('button[type=submit]').click();
    await card.locator('.status.done').waitFor({ timeout: 20_000 });

    expect(await card.locator('.entry-text').textContent()).toBe('Replaced the search with Postgres full-text');
    expect(await card.locator('.tag').allTextContents()).toEqual(['Postgres']);
    expect(await card.locator('.meta').textContent()).toContain('edited');
    await page.locator('#tech-stack .tag', { hasText: 'Elasticsearch' }).waitFor({ state: 'detached', timeout: 20_000 });
    const stored = await waitForEntry(stack.apiUrl, token, String(ids[0]));
    expect(stored).toMatchObject({ entry: 'Replaced the search with Postgres full-text', revision: 2 });
  }, 60_000);

  it('deletes an entry after the confirmation: its card and its tags go (once the profile catches up), and the API no longer has it', async () => {
    const { page, token, ids } = await pageOfUserWith('deleter', ['Cached the sessions in Redis', 'Built the admin in Django']);
    await page.locator('#tech-stack .tag', { hasText: 'Redis' }).waitFor({ timeout: 10_000 });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    // The profile trails the table through the stream: the first read after the deletion still
    // counts Redis, as it would if the aggregator had not caught up yet.
    const profileBefore = await (await fetch(`${stack.apiUrl}/me/tech-stack`, { headers: { authorization: `Bearer ${token}` } })).text();
    let staleReads = 1;
    await page.route(/\/me\/tech-stack$/, (route) =>
      staleReads-- > 0 ? route.fulfill({ status: 200, contentType: 'application/json', body: profileBefore }) : route.fallback(),
    );

    await page.locator('#recent .card', { hasText: 'Redis' }).locator('.delete').click();
    await page.locator('#recent .card', { hasText: 'Redis' }).waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('#tech-stack .tag', { hasText: 'Redis' }).waitFor({ state: 'detached', timeout: 20_000 });

    expect(dialogs).toEqual(['Delete this entry and its tags?']);
    expect(staleReads).toBeLessThan(0);
    expect(await page.locator('#recent .card').count()).toBe(1);
    const response = await fetch(`${stack.apiUrl}/logs/${ids[0]}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(404);
  }, 60_000);

  it('keeps a deleted entry off the list when a list read crosses the deletion, either way round', async () => {
    const { page } = await pageOfUserWith('crosser', [
      'Cached the sessions in Redis',
      'Built the admin in Django',
      'Tuned the Elasticsearch mapping',
    ]);
    page.on('dialog', (dialog) => void dialog.accept());
    const deleteCard = async (text: string) => {
      const deleted = page.waitForResponse((response) => response.request().method() === 'DELETE');
      await page.locator('#recent .card', { hasText: text }).locator('.delete').click();
      await deleted;
    };

    // A list read from before the deletion answers after it: dropped, not drawn.
    const staleRead = Promise.withResolvers<void>();
    await page.route(/\/logs\?limit=10$/, async (route) => {
      const answer = await route.fetch();
      await staleRead.promise;
      await route.fulfill({ response: answer });
    });
    const reading = page.waitForResponse(/\/logs\?limit=10$/);
    await page.evaluate('void refreshRecent()');
    await deleteCard('Redis');
    staleRead.resolve();
    await reading;
    await page.unroute(/\/logs\?limit=10$/);
    expect(await page.locator('#recent .card .entry-text').allTextContents()).not.toContain('Cached the sessions in Redis');

    // A list read answers while the deletion is under way: the card it drew goes too.
    const deletionHeld = Promise.withResolvers<void>();
    await page.route(/\/logs\/[0-9A-Z]{26}$/, async (route) => {
      if (route.request().method() !== 'DELETE') return route.fallback();
      await deletionHeld.promise;
      await route.fallback();
    });
    const deleting = deleteCard('Django');
    await page.evaluate('refreshRecent()');
    expect(await page.locator('#recent .card .entry-text').allTextContents()).toContain('Built the admin in Django');
    deletionHeld.resolve();
    await deleting;
    await page.locator('#recent .card', { hasText: 'Django' }).waitFor({ state: 'detached', timeout: 5_000 });
    expect(await page.locator('#recent .card .entry-text').allTextContents()).toEqual(['Tuned the Elasticsearch mapping']);
  });

  it('says when the daily quota resets instead of a bare 429', async () => {
    const token = (await tokenFromCli('prolific', data.dataDir)).trim();
    for (let index = 0; index < DAILY_ENTRY_QUOTA; index++) await postEntry(stack.apiUrl, token, `Quota entry ${index}`);
    const page = await browser!.newPage();
    await page.goto(stack.webUrl);
    await page.locator('#token').fill(token);
    await page.locator('#token').dispatchEvent('change');

    await page.locator('#entry').fill('One too many');
    await page.locator('#submit').click();

    await page.locator('#error', { hasText: /^429: .*15 entries for today.*\(try again in \d+ (h|min|s)/ }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#entry').inputValue()).toBe('One too many');
  });
});

describe.skipIf(!hasChromium)('local web page while entries are pending (a model that holds its answers)', () => {
  let stack: TestStack;
  let profileDir: string;
  let browser: BrowserContext | undefined;

  beforeAll(async () => {
    profileDir = await mkdtemp(path.join(tmpdir(), 'devlog-chromium-'));
    [stack, browser] = await Promise.all([startTestStack({ model: { answer: offlineDictionary } }), launchChromium(profileDir)]);
  });

  afterEach(() => stack?.model?.release());

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  /** A fresh user's token and API client. */
  async function user(userId: string) {
    const token = await stack.stack.issueToken(userId);
    return { token, client: new ApiClient(stack.apiUrl, token) };
  }

  /** Opens the page and signs in as the user (the token pasted, then Tab, as a user does). */
  async function openAs(token: string, page?: Page): Promise<Page> {
    const opened = page ?? (await browser!.newPage());
    await opened.goto(stack.stack.webUrl);
    await opened.locator('#token').fill(token);
    await opened.locator('#token').press('Tab');
    return opened;
  }

  /** Posts entries while the model holds every answer, so they stay pending until `release()`. */
  async function postHeld(client: ApiClient, texts: string[]): Promise<string[]> {
    stack.model!.hold();
    const ids: string[] = [];
    for (const text of texts) {
      const { status, body } = await client.post(text);
      expect(status).toBe(202);
      ids.push(String(body.id));
    }
    return ids;
  }

  const cardOf = (page: Page, id: string) => page.locator(`#recent .card[data-id="${id}"]`);

  /** Counts the page's `Prefer: wait` reads of an entry: how many are open now, at most, and in all. */
  function countWaits(page: Page) {
    const counts = { open: 0, peak: 0, started: 0 };
    const isWait = (request: { method(): string; url(): string; headers(): Record<string, string> }) =>
      request.method() === 'GET' && /\/logs\/[0-9A-Z]{26}$/.test(request.url()) && request.headers().prefer !== undefined;
    page.on('request', (request) => {
      if (!isWait(request)) return;
      counts.started++;
      counts.open++;
      counts.peak = Math.max(counts.peak, counts.open);
    });
    page.on('requestfinished', (request) => {
      if (isWait(request)) counts.open--;
    });
    page.on('requestfailed', (request) => {
      if (isWait(request)) counts.open--;
    });
    return counts;
  }

  /** The text of the elements that describe an element (`aria-describedby`). */
  const descriptionOf = (page: Page, selector: string) =>
    page.evaluate<string>(
      `(document.querySelector(${JSON.stringify(selector)}).getAttribute('aria-describedby') ?? '').split(/\\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim()`,
    );

  it('turns a card that was pending when the page opened done by itself, and announces it', async () => {
    const { token, client } = await user('opener');
    const [id] = await postHeld(client, ['Indexed the logs in Elasticsearch']);
    const page = await openAs(token);
    const card = cardOf(page, id!);
    await card.locator('.status.pending').waitFor({ timeout: 10_000 });

    stack.model!.release();
    await card.locator('.status.done').waitFor({ timeout: 20_000 });

    expect(await card.locator('.tag').allTextContents()).toEqual(['Elasticsearch']);
    expect(await page.getByRole('status').textContent()).toContain('Elasticsearch');
  });

  it("waits on every pending card, the first page's and More's, with at most three waits open at once", async () => {
    const { token, client } = await user('crowd');
    const ids = await postHeld(
      client,
      Array.from({ length: 12 }, (_, index) => `Crowd entry ${index} mit Redis`),
    );
    const page = await browser!.newPage();
    const waits = countWaits(page);
    await openAs(token, page);
    await cardOf(page, ids[11]!).locator('.status.pending').waitFor({ timeout: 10_000 });
    await page.locator('#more').click();
    await cardOf(page, ids[0]!).locator('.status.pending').waitFor({ timeout: 10_000 });
    await waitFor(() => (waits.open >= 2 ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the page to wait on pending cards',
      describe: () => JSON.stringify(waits),
    });

    stack.model!.release();
    for (const id of ids) await cardOf(page, id).locator('.status.done').waitFor({ timeout: 30_000 });

    expect(waits.peak).toBeLessThanOrEqual(3);
    expect(waits.started).toBeGreaterThanOrEqual(ids.length);
  }, 60_000);

  it('honours Retry-After when the API answers a wait at once without Preference-Applied (its cap on open waits)', async () => {
    const { token, client } = await user('capped');
    const [id] = await postHeld(client, ['Tuned the Kafka consumer']);
    const page = await browser!.newPage();
    const asked: number[] = [];
    let refusals = 2;
    await page.route(new RegExp(`/logs/${id}$`), async (route) => {
      if (route.request().headers().prefer === undefined) return route.fallback();
      asked.push(Date.now());
      if (refusals-- <= 0) return route.fallback();
      // What the API answers over its cap: the entry as it is, at once, with Retry-After.
      const entry = await client.get(id!);
      return route.fulfill({ status: 200, contentType: 'application/json', headers: { 'retry-after': '1' }, body: JSON.stringify(entry) });
    });
    await openAs(token, page);
    await waitFor(() => (asked.length >= 3 ? true : undefined), {
      timeoutMs: 10_000,
      what: 'a third wait',
      describe: () => JSON.stringify(asked),
    });

    stack.model!.release();
    await cardOf(page, id!).locator('.status.done').waitFor({ timeout: 20_000 });

    expect(asked[1]! - asked[0]!).toBeGreaterThanOrEqual(1_000);
    expect(asked[2]! - asked[1]!).toBeGreaterThanOrEqual(1_000);
  });

  it('shows one card per entry, in step with its newest revision, through a post, an edit and a late answer about the old text', async () => {
    const { token } = await user('reviser');
    const page = await openAs(token);
    await page.locator('#recent', { hasText: 'Nothing yet' }).waitFor({ timeout: 10_000 });
    const oldText = 'Tuned the Elasticsearch mapping';
    const newText = 'Replaced the search with Postgres full-text';
    // The first wait's answer (the old text, done) reaches the page only after the edit is saved.
    const staleAnswer = Promise.withResolvers<void>();
    const deliverStale = Promise.withResolvers<void>();
    let first = true;
    await page.route(/\/logs\/[0-9A-Z]{26}$/, async (route) => {
      if (route.request().headers().prefer === undefined || !first) return route.fallback();
      first = false;
      const answer = await route.fetch();
      staleAnswer.resolve();
      await deliverStale.promise;
      await route.fulfill({ response: answer });
    });
    stack.model!.hold();
    await page.locator('#entry').fill(oldText);
    await page.locator('#submit').click();
    const card = page.locator('#recent .card').first();
    await card.locator('.status.pending').waitFor({ timeout: 10_000 });
    expect(await page.locator('#recent .card').count()).toBe(1);
    stack.model!.release();
    await staleAnswer.promise;

    stack.model!.hold();
    await card.locator('.edit').click();
    await card.locator('textarea').fill(newText);
    await card.locator('button[type=submit]').click();
    await card.locator('.entry-text', { hasText: newText }).waitFor({ timeout: 10_000 });
    const nextWait = page.waitForRequest(
      (request) => /\/logs\/[0-9A-Z]{26}$/.test(request.url()) && request.headers().prefer !== undefined,
    );
    deliverStale.resolve();
    await nextWait;

    expect(await page.getByText(oldText).count()).toBe(0);
    expect(await page.locator('#recent .card').count()).toBe(1);
    expect(await card.locator('.status').textContent()).toBe('pending');
    stack.model!.release();
    await card.locator('.status.done').waitFor({ timeout: 20_000 });
    expect(await card.locator('.entry-text').textContent()).toBe(newText);
    expect(await card.locator('.tag').allTextContents()).toEqual(['Postgres']);
    expect(await page.locator('#recent .card').count()).toBe(1);
  }, 60_000);

  it('says why Submit is disabled, counts the characters, and never cuts a long text', async () => {
    const page = await browser!.newPage();
    await page.goto(stack.stack.webUrl);
    const entry = page.locator('#entry');
    const submit = page.locator('#submit');

    expect(await entry.getAttribute('placeholder')).not.toBe(SEED_ENTRY);
    expect(await submit.isDisabled()).toBe(true);
    expect(await descriptionOf(page, '#submit')).toContain('Write an entry first');
    await entry.fill('Kafka '.repeat(1_675));
    expect(await entry.inputValue()).toHaveLength(10_050);
    expect(await submit.isDisabled()).toBe(true);
    expect(await descriptionOf(page, '#submit')).toContain('50 characters too many');
    expect(await page.locator('#entry-count').textContent()).toContain('10,050 / 10,000');
    await entry.fill('Kafka '.repeat(1_675).slice(0, 10_000));
    expect(await submit.isDisabled()).toBe(false);
    expect(await descriptionOf(page, '#submit')).toBe('');
    await page.locator('#example').click();
    expect(await entry.inputValue()).toBe(SEED_ENTRY);
  });

  it('names chips and card buttons by what they act on, makes chips 24 px tall, and announces a deletion', async () => {
    const { token, client } = await user('reader');
    for (const text of ['Moved the Kafka cluster to three brokers', 'Wrote the consumer for the Kafka topic']) {
      const { body } = await client.post(text);
      await waitForEntry(stack.apiUrl, token, String(body.id));
    }
    await waitFor(async () => ((await client.techStack()).body.items?.[0] as { count?: number } | undefined)?.count === 2 || undefined, {
      timeoutMs: 20_000,
      what: 'the profile to count Kafka twice',
    });
    const page = await openAs(token);
    page.on('dialog', (dialog) => void dialog.accept());
    const chip = page.getByRole('button', { name: 'Kafka, 2 entries' });
    await chip.waitFor({ timeout: 10_000 });
    await page.locator('#recent .card .tag').first().waitFor({ timeout: 10_000 });

    for (const target of [chip, ...(await page.locator('#recent .card .tag').all())])
      expect((await target.boundingBox())!.height).toBeGreaterThanOrEqual(24);
    const card = page.locator('#recent .card', { hasText: 'Moved the Kafka cluster' });
    const time = await card.locator('time').textContent();
    expect(await card.getByRole('button', { name: `Edit entry from ${time}` }).count()).toBe(1);
    await card.getByRole('button', { name: `Delete entry from ${time}` }).click();
    await card.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.getByRole('status').textContent()).toContain(`Deleted the entry from ${time}`);
  }, 60_000);

  it("serves the page with a Content-Security-Policy that Chromium enforces: an injected inline script does not run, the page's own does", async () => {
    const page = await browser!.newPage();
    const reports: string[] = [];
    page.on('console', (message) => reports.push(message.text()));
    const response = await page.goto(stack.stack.webUrl);
    await page.locator('#recent', { hasText: 'Nothing yet' }).waitFor({ timeout: 10_000 });
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');

    expect(reports.filter((text) => text.includes('Content Security Policy'))).toEqual([]);

    const injected = await browser!.newPage();
    const injectedReports: string[] = [];
    injected.on('console', (message) => injectedReports.push(message.text()));
    await injected.route(stack.stack.webUrl, async (route) => {
      const original = await route.fetch();
      const body = (await original.text()).replace('</body>', '<script>window.injectedRan = true;</script></body>');
      await route.fulfill({ response: original, body });
    });
    await injected.goto(stack.stack.webUrl);

    expect(await injected.locator('#token').inputValue()).toBe(stack.stack.devToken);
    expect(await injected.evaluate('window.injectedRan')).toBeUndefined();
    expect(injectedReports.filter((text) => text.includes('Content Security Policy'))).toHaveLength(1);
  });
});
