// The VS Code extension in a real VS Code (code-server) in a real browser, in Restricted Mode:
// CodeLens with the next run, the jobs tree, the hover, an error squiggle, and fast activation.
// Screenshots go to test-results/e2e/. Needs `bash test/e2e/install.sh` (CI runs it).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHROMIUM,
  E2E_DIR,
  extensionLog,
  missingParts,
  packageExtension,
  ROOT,
  startVsCode,
  type VsCode,
} from './harness.js';

// playwright-core is installed by install.sh, not by the workspace: typed here by what we use.
interface Locator {
  first(): Locator;
  last(): Locator;
  nth(index: number): Locator;
  waitFor(options?: { state?: string; timeout?: number }): Promise<void>;
  textContent(): Promise<string | null>;
  click(options?: { timeout?: number }): Promise<void>;
  hover(options?: { timeout?: number }): Promise<void>;
  count(): Promise<number>;
  allInnerTexts(): Promise<string[]>;
  filter(options: { hasText: string | RegExp }): Locator;
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
}
interface Page {
  goto(url: string, options?: { timeout?: number }): Promise<unknown>;
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  getByRole(role: string, options?: { name?: string | RegExp }): Locator;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
}
interface BrowserContext {
  pages(): Page[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

const ARTIFACTS = join(ROOT, 'test-results', 'e2e');
const TIMEOUT = 60_000;

describe('VS Code extension end to end (code-server + Chromium, Restricted Mode)', function () {
  this.timeout(180_000);
  let vscode: VsCode | undefined;
  let context: BrowserContext | undefined;
  let page: Page;

  before(async function () {
    const missing = missingParts();
    if (missing.length > 0) {
      const message = `the end-to-end harness is not installed (missing: ${missing.join('; ')}). Run: bash test/e2e/install.sh`;
      if (process.env.CI) throw new Error(message);
      console.warn(`\n  !!! SKIPPED: ${message}\n`);
      this.skip();
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    const vsix = packageExtension(mkdtempSync(join(tmpdir(), 'tw-vsix-')));
    vscode = await startVsCode(vsix, join(E2E_DIR, 'fixtures', 'workspace'));
    const { chromium } = (await import(join(E2E_DIR, 'node_modules', 'playwright-core', 'index.mjs'))) as {
      chromium: { launchPersistentContext(dir: string, options: object): Promise<BrowserContext> };
    };
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'tw-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(vscode.url, { timeout: TIMEOUT });
    await page.locator('.monaco-workbench').waitFor({ timeout: TIMEOUT });
  });

  afterEach(async function () {
    // A picture of the failure is worth more than the locator's log.
    if (this.currentTest?.state === 'failed' && page) {
      const name = (this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60) || 'failure').toLowerCase();
      await page.screenshot({ path: join(ARTIFACTS, `failed-${name}.png`) }).catch(() => {});
    }
  });

  after(async () => {
    await context?.close();
    vscode?.stop();
  });

  async function openFile(name: string): Promise<void> {
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').waitFor({ timeout: TIMEOUT });
    await page.keyboard.type(name);
    // Wait for the filtered list: Enter on the unfiltered one opens a recently used file instead.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: name }).first().waitFor({ timeout: TIMEOUT });
    await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: TIMEOUT });
  }

  it('runs in Restricted Mode (workspace trust on, folder not trusted)', async () => {
    const status = page.locator('.statusbar-item', { hasText: /Restricted Mode/ });
    await status.first().waitFor({ timeout: TIMEOUT });
  });

  it('shows the CodeLens with the description, next run, owner and expectation above the @Cron job', async () => {
    await openFile('reports.ts');
    const lens = page.locator('.monaco-editor .codelens-decoration', {
      hasText: /At 09:00, Monday through Friday \(Europe\/Berlin\) — next: \w{3} \d{1,2} \w{3} 09:00, in /,
    });
    await lens.first().waitFor({ timeout: TIMEOUT });
    // What the job declares about itself follows: owner and expectation.
    const expected = page.locator('.monaco-editor .codelens-decoration', {
      hasText: /in .* · owner data-team · expected < 2 min, a success every 26 h/,
    });
    await expected.first().waitFor({ timeout: TIMEOUT });
    const interval = page.locator('.monaco-editor .codelens-decoration', { hasText: /Every 15 minutes — next: / });
    await interval.first().waitFor({ timeout: TIMEOUT });
    await page.screenshot({ path: join(ARTIFACTS, 'codelens.png') });
  });

  it('activates in under 200 ms (the extension’s own log)', async () => {
    let log = '';
    for (let i = 0; i < 50 && !/activated in/.test(log); i++) {
      log = extensionLog(vscode?.userDataDir ?? '');
      await page.waitForTimeout(100);
    }
    const match = /activated in ([\d.]+) ms/.exec(log);
    assert.ok(match, `no activation line in the Tickwise log:\n${log}`);
    assert.ok(Number(match[1]) < 200, `activation took ${match[1]} ms`);
  });

  it('shows the next runs, owner and expectation on hover over the schedule string', async () => {
    // The innermost span is the string token itself.
    await page.locator('.monaco-editor .view-line span', { hasText: "'0 9 * * 1-5'" }).last().hover();
    const hover = page.locator('.monaco-hover', { hasText: /Reports\.dailyDigest/ });
    await hover.first().waitFor({ timeout: TIMEOUT });
    const text = (await hover.first().textContent()) ?? '';
    assert.match(text, /Europe\/Berlin/);
    assert.match(text, /UTC/);
    assert.match(text, /\d{4}-\d{2}-\d{2}T08:00:00Z/, text);
    assert.match(text, /Owner: data-team/);
    assert.match(text, /Expected: under 2 min per run; at least one success every 26 h/, text);
    await page.screenshot({ path: join(ARTIFACTS, 'hover.png') });
    await page.keyboard.press('Escape');
  });

  it('lists the workspace’s jobs in the Scheduled Jobs tree (Explorer and its own view)', async () => {
    await page
      .locator('.pane-header', { hasText: /Scheduled Jobs/i })
      .first()
      .click();
    for (const name of ['Reports.dailyDigest', 'Reports.syncInventory', 'Broken.nightly']) {
      await page
        .getByRole('treeitem', { name: new RegExp(name.replace('.', '\\.')) })
        .first()
        .waitFor({ timeout: TIMEOUT });
    }
    await page
      .locator('.pane-header', { hasText: /Scheduled Jobs/i })
      .first()
      .click(); // collapse it again
    await page.locator('.activitybar .action-item [aria-label^="Scheduled Jobs"]').first().click();
    const view = page.locator('.sidebar');
    await view
      .locator('.monaco-list-row', { hasText: /Reports\.dailyDigest/ })
      .first()
      .waitFor({ timeout: TIMEOUT });
    await page.screenshot({ path: join(ARTIFACTS, 'tree.png') });
    // The item's tooltip (resolved on hover) carries the next runs.
    await view
      .locator('.monaco-list-row', { hasText: /Reports\.dailyDigest/ })
      .first()
      .hover();
    const tooltip = page.locator('.workbench-hover:visible, .monaco-hover:visible', {
      hasText: /Reports\.dailyDigest/,
    });
    await tooltip.first().waitFor({ timeout: TIMEOUT });
    assert.match((await tooltip.first().textContent()) ?? '', /T08:00:00Z/);
    await page.keyboard.press('Escape');
  });

  it('sorts the tree by next run, with an "In the next 24 hours" group', async () => {
    await page.locator('.sidebar .action-label[aria-label="Sort Jobs by Next Run"]').first().click();
    const soon = page.locator('.sidebar .monaco-list-row', { hasText: /In the next 24 hours/ });
    await soon.first().waitFor({ timeout: TIMEOUT });
    const labels = await page.locator('.sidebar .monaco-list-row .label-name').allInnerTexts();
    // Every 15 minutes comes before a weekday 09:00 run; the invalid job has no next run.
    assert.ok(labels.indexOf('Reports.syncInventory') < labels.indexOf('Reports.dailyDigest'), labels.join(' | '));
    assert.ok(
      labels.some((l) => /No next run/.test(l)),
      labels.join(' | '),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'tree-by-next-run.png') });
    await page.locator('.sidebar .action-label[aria-label="Group Jobs by File"]').first().click();
  });

  it('underlines an invalid hour with the runtime’s message', async () => {
    await openFile('broken.ts');
    const squiggle = page.locator('.monaco-editor .squiggly-error');
    await squiggle.first().waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: /hour 25 is out of range 0-23/ });
    await problem.first().waitFor({ timeout: TIMEOUT });
    assert.match((await problem.first().textContent()) ?? '', /TW103/);
    await page.screenshot({ path: join(ARTIFACTS, 'diagnostics.png') });
  });

  it('re-checks the open buffer as the user types: fixing the hour clears the error', async () => {
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click(); // focus the editor, not the panel
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').waitFor({ timeout: TIMEOUT });
    await page.keyboard.type('4:12');
    // Enter only once the quick input has read the position, then check where the cursor is.
    await page
      .locator('.quick-input-widget', { hasText: /line 4.*character 12/i })
      .first()
      .waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Enter');
    await page.locator('.statusbar-item', { hasText: 'Ln 4, Col 12' }).first().waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.type('23');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: /hour 25 is out of range/ });
    await problem.first().waitFor({ state: 'detached', timeout: 15_000 });
    const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: /At 23:00 \(UTC\) — next: / });
    await lens.first().waitFor({ timeout: TIMEOUT });
  });

  it('picks up a job file created on disk (batched file watcher)', async () => {
    writeFileSync(
      join(vscode?.workspace ?? '', 'src', 'later.ts'),
      "import { Every } from '@tickwise/core';\nexport class Later { @Every('1h', { owner: 'ops' }) tick() {} }\n",
    );
    const item = page.locator('.sidebar .monaco-list-row', { hasText: /Later\.tick/ });
    await item.first().waitFor({ timeout: TIMEOUT });
  });
});
