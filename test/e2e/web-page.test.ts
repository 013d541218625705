import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killLeftoverStacks, SEED_ENTRY, spawnLocalStack, temporaryDataDir, type StackProcess } from './support/local-stack-process.js';

/*
 * The local web page in headless Chromium against a stack on the offline stand-in: what a
 * newcomer does first after `npm start`. Uses Debian's chromium (apt-get install -y chromium)
 * driven by playwright-core, so no browser download is needed.
 */

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`web page test skipped: ${CHROMIUM} not found (install it with: apt-get install -y chromium)`);
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
      spawnLocalStack({ DATA_DIR: data.dataDir }),
      chromium.launchPersistentContext(profileDir, {
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
      }),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await killLeftoverStacks();
    await data?.remove();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  it('submits the seed entry and shows it done with its tags, with the dev token prefilled', async () => {
    const page = await browser!.newPage();
    await page.goto(stack.webUrl);

    expect(await page.locator('#token').inputValue()).toBe(stack.token);
    await page.locator('#entry').fill(SEED_ENTRY);
    await page.locator('#submit').click();
    await page.locator('#current-status', { hasText: 'done' }).waitFor({ timeout: 20_000 });

    expect(await page.locator('#current-tags .tag').allTextContents()).toEqual(['Django', 'Elasticsearch', 'ImaginaryNoneExistence Cloud']);
    await page.locator('#recent .card', { hasText: 'ImaginaryNoneExistence' }).first().waitFor({ timeout: 5_000 });
    expect(await page.locator('#error').textContent()).toBe('');
  });

  it("shows the user's tech stack with a count per technology once the entry is tagged", async () => {
    const page = await browser!.newPage();
    await page.goto(stack.webUrl);

    await page.locator('#tech-stack .tag', { hasText: 'Django' }).waitFor({ timeout: 20_000 });

    expect(await page.locator('#tech-stack .tag', { hasText: 'Django' }).locator('.count').textContent()).toMatch(/^[1-9]\d*$/);
  });

  it('creates one entry when the same typed text is submitted twice (one Idempotency-Key per typed entry)', async () => {
    const page = await browser!.newPage();
    await page.goto(stack.webUrl);
    const text = `Double submit ${Date.now()} mit Django`;

    await page.locator('#entry').fill(text);
    // Two submits before the first answer, as a double click or Enter pressed twice would send.
    await page.evaluate("const form = document.getElementById('entry-form'); form.requestSubmit(); form.requestSubmit();");
    await page.locator('#current-status', { hasText: 'done' }).waitFor({ timeout: 20_000 });

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
    expect(await page.locator('#current').isHidden()).toBe(true);
  });

  it('keeps everything within a narrow screen', async () => {
    const page = await browser!.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(stack.webUrl);
    await page.locator('#recent .card').first().waitFor({ timeout: 10_000 });

    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

    expect(overflow).toBe(0);
  });
});
