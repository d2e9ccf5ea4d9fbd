// The fleet's web page in a real Chromium (Debian's, driven by playwright-core from
// test/e2e/node_modules): three replicas sharing a MemoryStore, createHealthHandler with a token on
// a node:http server. Signs in, reads the jobs, owners, timeline colours and runbooks, pauses and
// triggers from the forms (and checks the store), refuses a form from another origin, and does it
// all again with JavaScript off. Screenshots go to test-results/fleet-page/; with
// TICKWISE_UPDATE_SCREENSHOTS=1 also to docs/media/ (the pictures docs/fleet.md shows).
// Needs `bash test/e2e/install.sh` (Chromium + playwright-core); fails on CI without them.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { Scheduler } from '@tickwise/core';
import { CHROMIUM, E2E_DIR, ROOT } from '../e2e/harness.js';
import { type DemoFleet, startDemoFleet, TOKEN } from './demo-fleet.js';

// playwright-core is installed by test/e2e/install.sh, not by the workspace: typed here by what we use.
interface Locator {
  locator(selector: string): Locator;
  first(): Locator;
  waitFor(options?: { state?: string; timeout?: number }): Promise<void>;
  textContent(): Promise<string | null>;
  getAttribute(name: string): Promise<string | null>;
  click(options?: { timeout?: number }): Promise<void>;
  check(): Promise<void>;
  fill(value: string): Promise<void>;
  count(): Promise<number>;
  boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null>;
  screenshot(options: { path: string }): Promise<unknown>;
}
interface Page {
  goto(url: string): Promise<{ status(): number } | null>;
  locator(selector: string): Locator;
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
  /** A script run in the page (a string: this file is compiled without the DOM's types). */
  evaluate<R>(script: string): Promise<R>;
  url(): string;
}
interface BrowserContext {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Browser {
  newContext(options: object): Promise<BrowserContext>;
  close(): Promise<void>;
}

const PLAYWRIGHT = join(E2E_DIR, 'node_modules', 'playwright-core', 'index.mjs');
const ARTIFACTS = join(ROOT, 'test-results', 'fleet-page');
const DOCS_MEDIA = join(ROOT, 'docs', 'media');
const TIMEOUT = 15_000;

/** Where a screenshot is saved; publish() copies it to docs/media/ when the docs' pictures are being updated. */
const keep = (name: string) => join(ARTIFACTS, name);
function publish(name: string): void {
  if (process.env.TICKWISE_UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(DOCS_MEDIA, { recursive: true });
  copyFileSync(join(ARTIFACTS, name), join(DOCS_MEDIA, name));
}

/** The parts that are missing to run this test, in words. */
function missingParts(): string[] {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM))
    missing.push(`Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  if (!existsSync(PLAYWRIGHT)) missing.push('playwright-core in test/e2e/node_modules');
  return missing;
}

async function launch(): Promise<Browser> {
  const { chromium } = (await import(PLAYWRIGHT)) as { chromium: { launch(options: object): Promise<Browser> } };
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
}

/** A page in a fresh context (its own cookies); console errors (CSP violations among them) are collected. */
async function openPage(
  browser: Browser,
  options: object = {},
): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    colorScheme: 'light',
    ...options,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    // The 401 of the sign-in page is logged as a failed load: expected, not an error of the page.
    if (message.type() === 'error' && !/status of 401/.test(message.text())) errors.push(message.text());
  });
  return { page, errors, close: () => context.close() };
}

async function signIn(page: Page, url: string, name: string): Promise<void> {
  await page.goto(`${url}/jobs`);
  await page.locator('#sign-in input[name="token"]').fill(TOKEN);
  await page.locator('#sign-in input[name="name"]').fill(name);
  await page.locator('#sign-in button[type="submit"]').click();
  await page.locator('text=Signed in as').waitFor({ timeout: TIMEOUT });
}

const row = (page: Page, job: string) => page.locator(`tr[data-job="${job}"]`);
const text = async (locator: Locator) => (await locator.textContent()) ?? '';
const flash = (page: Page) => text(page.locator('p.flash'));

describe('fleet web page in Chromium (three replicas, one MemoryStore)', function () {
  this.timeout(120_000);
  let fleet: DemoFleet | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let errors: string[];
  let closePage: (() => Promise<void>) | undefined;

  before(async function () {
    const missing = missingParts();
    if (missing.length > 0) {
      const message = `the fleet page's browser test needs ${missing.join(' and ')}. Run: bash test/e2e/install.sh`;
      if (process.env.CI) throw new Error(message);
      console.warn(`\n  !!! SKIPPED: ${message}\n`);
      this.skip();
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    fleet = await startDemoFleet();
    browser = await launch();
    ({ page, errors, close: closePage } = await openPage(browser));
  });

  afterEach(async function () {
    const test = this.currentTest;
    if (test?.state === 'failed' && page) {
      const name = test.title
        .replace(/[^a-z0-9]+/gi, '-')
        .slice(0, 60)
        .toLowerCase();
      await page.screenshot({ path: join(ARTIFACTS, `failed-${name}.png`), fullPage: true }).catch(() => {});
    }
  });

  after(async () => {
    await closePage?.();
    await browser?.close();
    await fleet?.close();
  });

  const f = () => fleet as DemoFleet;

  it('without a session, asks for the token and names no job', async () => {
    const answer = await page.goto(`${f().url}/`);
    assert.equal(answer?.status(), 401, 'GET / leads to /jobs, which needs the token');
    assert.ok(page.url().endsWith('/jobs'));
    await page.locator('#sign-in').waitFor();
    assert.doesNotMatch(await text(page.locator('body')), /billing|export\.s3|runbooks\.example/);
  });

  it('signs in with the token, then lists every job with its owner, schedule in words and next runs', async () => {
    await signIn(page, f().url, 'Ana');
    assert.equal(await page.locator('tbody tr[data-job]').count(), 5);
    const billing = await text(row(page, 'billing.charge'));
    assert.match(billing, /billing-team/);
    assert.match(billing, /Every 1 minute/);
    assert.match(billing, /09:01:00 UTC\s+in 30s/);
    assert.match(
      await text(row(page, 'report.daily')),
      /finance[\s\S]*At 06:00 \(Europe\/Berlin\)[\s\S]*2026-03-03 05:00:00 UTC in 19h 59m/,
    );
    assert.match(await text(row(page, 'cache.warm')), /on web-3/);
    assert.match(await text(page.locator('tr[data-replica="web-1"]')), /gone/);
  });

  it('colours the timeline by outcome, marks it by symbol too, and says who ran each run', async () => {
    const colour = (job: string, outcome: string) =>
      page.evaluate<string>(
        `getComputedStyle(document.querySelector('tr[data-job="${job}"] li.r-${outcome}')).backgroundColor`,
      );
    assert.equal(await colour('billing.charge', 'success'), 'rgb(26, 127, 55)');
    assert.equal(await colour('export.s3', 'failure'), 'rgb(207, 34, 46)');
    assert.equal(await colour('export.s3', 'timeout'), 'rgb(207, 34, 46)');
    assert.equal(await colour('search.reindex', 'cancelled'), 'rgb(110, 119, 129)');
    const cells = row(page, 'export.s3').locator('ol.timeline li');
    assert.equal(await cells.count(), 12);
    const symbols = await page.evaluate<string>(
      `[...document.querySelectorAll('tr[data-job="export.s3"] ol.timeline li')].map((li) => li.textContent).join('')`,
    );
    assert.equal(symbols, '✓✓✓✓◷✓✓✗✗✗✗✗', 'oldest first: four successes, the timeout, two successes, five failures');
    const last = await row(page, 'export.s3').locator('li.r-failure').first().getAttribute('title');
    assert.match(
      last ?? '',
      /^failure · 08:40:00 UTC \(20m 30s ago\) · on web-2 · took 4\.0 s · version 1\.4\.2 · Error: S3 PutObject failed: 503/,
    );
  });

  it('shows each failing job’s errors with its runbook beside them', async () => {
    const card = page.locator('article.failure[data-job="export.s3"]');
    assert.equal(await page.locator('article.failure').count(), 1, 'only export.s3’s last run failed');
    assert.match(await text(card), /5 failed in a row[\s\S]*S3 PutObject failed: 503 Slow Down/);
    const link = card.locator('aside.runbook a');
    assert.equal(await link.getAttribute('href'), 'https://runbooks.example/export-s3');
    const error = await card.locator('pre.error').first().boundingBox();
    const runbook = await card.locator('aside.runbook').boundingBox();
    assert.ok(error && runbook && runbook.x >= error.x + error.width, 'the runbook is to the right of the error');
    assert.ok(runbook.y < error.y + error.height, 'on the same line');
    await page.locator('#failures').screenshot({ path: keep('fleet-page-failure.png') });
    publish('fleet-page-failure.png');
  });

  it('applies its stylesheet under its CSP, and nothing is refused', async () => {
    assert.equal(await page.evaluate<string>('getComputedStyle(document.body).fontSize'), '14px');
    assert.deepEqual(errors, [], 'no console error (a CSP violation would be one)');
  });

  it('pauses a job from its form; every replica sees the pause in the store', async () => {
    const exportRow = row(page, 'export.s3');
    await exportRow.locator('summary').click();
    await exportRow.locator('input[name="reason"]').fill('S3 is throttling us');
    await exportRow.locator('input[name="for"]').fill('2h');
    await exportRow.locator('button:has-text("Pause")').click();
    await page.locator('p.flash').waitFor({ timeout: TIMEOUT });
    assert.match(await flash(page), /^Paused export\.s3 until 2026-03-02T11:00:30\.000Z/);
    const pauses = (await f().store.readControls()).pauses;
    assert.deepEqual(
      pauses.map((p) => `${p.pattern} by ${p.by}: ${p.reason}`),
      ['export.s3 by Ana (web page): S3 is throttling us'],
    );
    await f().clock.advance('1s');
    for (const scheduler of f().schedulers.slice(1) as Scheduler[]) {
      assert.equal(scheduler.jobs().find((j) => j.name === 'export.s3')?.paused, true);
    }
    await page.goto(`${f().url}/jobs`);
    assert.match(await text(row(page, 'export.s3')), /paused[\s\S]*by Ana \(web page\): S3 is throttling us/);
    assert.equal(await page.locator('p.flash').count(), 0, 'the message is shown once');
    await row(page, 'billing.charge').locator('summary').click();
    await page.screenshot({ path: keep('fleet-page.png'), fullPage: true });
    publish('fleet-page.png');
  });

  it('asks for confirmation before running a job now, then one replica runs it', async () => {
    const report = row(page, 'report.daily');
    await report.locator('summary').click();
    await report.locator('button:has-text("Run now")').click();
    await page.waitForTimeout(300);
    assert.deepEqual((await f().store.readControls()).triggers, [], 'the unticked box stops the form');
    await report.locator('input[name="confirm"]').check();
    await report.locator('button:has-text("Run now")').click();
    await page.locator('p.flash').waitFor({ timeout: TIMEOUT });
    assert.match(await flash(page), /^Asked for one run of report\.daily now/);
    await f().clock.advance('5s');
    const runs = await f().store.listRuns({ job: 'report.daily' });
    assert.deepEqual(
      runs.map((r) => `${r.trigger} ${r.outcome}`),
      ['fleet success'],
    );
    await page.goto(`${f().url}/jobs`);
    assert.match(
      (await row(page, 'report.daily').locator('ol.timeline li').first().getAttribute('title')) ?? '',
      /trigger: fleet/,
    );
  });

  it('a form on another origin cannot pause a job, even though the browser sends the session cookie', async () => {
    const target = `${f().url}/jobs/page`;
    const evil = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        `<form method="post" action="${target}"><input name="action" value="pause"><input name="job" value="billing.charge"><input name="reason" value="pwned"><input name="csrf" value="guess"><button id="go">Win</button></form>`,
      );
    }).listen(0, '127.0.0.1');
    await once(evil, 'listening');
    try {
      // Another port on 127.0.0.1 is the same site, so the SameSite=Strict cookie goes along: the Origin check must hold.
      await page.goto(`http://127.0.0.1:${(evil.address() as { port: number }).port}/`);
      await page.locator('#go').click();
      await page.locator('h2').waitFor({ timeout: TIMEOUT });
      assert.match(await text(page.locator('body')), /not sent from this page/);
      assert.deepEqual(
        (await f().store.readControls()).pauses.map((p) => p.pattern),
        ['export.s3'],
      );
    } finally {
      evil.close();
    }
  });

  it('works with JavaScript off: signs in and resumes the paused job', async () => {
    const off = await openPage(browser as Browser, { javaScriptEnabled: false });
    try {
      await signIn(off.page, f().url, 'Bo');
      const exportRow = row(off.page, 'export.s3');
      await exportRow.locator('summary').click();
      await exportRow.locator('input[name="confirm"]').first().check();
      await exportRow.locator('button:has-text("Resume")').click();
      await off.page.locator('p.flash').waitFor({ timeout: TIMEOUT });
      assert.equal(await flash(off.page), 'Resumed export.s3.');
      assert.deepEqual((await f().store.readControls()).pauses, []);
      assert.deepEqual(off.errors, []);
    } finally {
      await off.close();
    }
  });
});
