// The fleet's web page as HTML (src/runtime/fleet-page.ts), from hand-made FleetHealth models.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { FleetHealth, FleetJob, FleetRun } from '@tickwise/core';
import {
  type FleetPageModel,
  type PageVisitor,
  renderFleetPage,
  renderNoticePage,
  renderSignInPage,
  TIMELINE_RUNS,
} from '../../src/runtime/fleet-page.js';
import { PAGE_STYLE_SOURCE } from '../../src/runtime/fleet-page-style.js';

const NOW = Date.parse('2026-03-02T09:30:00Z');
const at = (hhmm: string) => new Date(`2026-03-02T${hhmm}:00Z`);

function run(overrides: Partial<FleetRun> = {}): FleetRun {
  const startedAt = overrides.startedAt ?? at('09:29');
  return {
    outcome: 'success',
    tick: startedAt,
    startedAt,
    endedAt: new Date(startedAt.getTime() + (overrides.durationMs ?? 1200)),
    durationMs: 1200,
    lateMs: 3,
    instanceId: 'web-1',
    trigger: 'schedule',
    attempts: 1,
    ...overrides,
  };
}

function job(overrides: Partial<FleetJob> = {}): FleetJob {
  return {
    name: 'billing.charge',
    schedule: '*/5 * * * *',
    timezone: 'UTC',
    describe: 'Every 5 minutes',
    owner: 'billing-team',
    status: 'ok',
    replicas: ['web-1', 'web-2'],
    paused: null,
    nextRuns: [at('09:35'), at('09:40'), at('09:45')],
    lastRun: run(),
    lastSuccess: at('09:29'),
    failureStreak: 0,
    runs: 1,
    failures: 0,
    durationMs: { p50: 1200, p95: 1200 },
    lateMs: { p50: 3, p95: 3 },
    overdue: false,
    byVersion: [],
    regression: null,
    ...overrides,
  };
}

function health(jobs: FleetJob[]): FleetHealth {
  return {
    scope: 'fleet',
    status: jobs.some((j) => j.status === 'failing') ? 'failing' : 'ok',
    checkedAt: new Date(NOW),
    history: true,
    replicas: [
      {
        instanceId: 'web-1',
        host: 'app-1',
        pid: 101,
        version: '1.4.0',
        startedAt: at('08:00'),
        lastSeen: at('09:29'),
        alive: true,
        jobs: 2,
        clockOffsetMs: 4,
      },
    ],
    jobs,
  };
}

const CSRF = { pause: 'csrf-pause', resume: 'csrf-resume', trigger: 'csrf-trigger', signout: 'csrf-signout' };
const SIGNED_IN: PageVisitor = { kind: 'signed-in', name: 'Ana', csrf: CSRF };

function page(jobs: FleetJob[], runs: Record<string, FleetRun[]> = {}, overrides: Partial<FleetPageModel> = {}) {
  return renderFleetPage({
    base: '',
    health: health(jobs),
    runs: new Map(Object.entries(runs)),
    visitor: { kind: 'no-token' },
    flash: null,
    ...overrides,
  });
}

/** The HTML of the element that carries `data-job="name"` (a row or a failure card). */
function block(text: string, tag: 'tr' | 'article', name: string): string {
  const start = text.indexOf(`<${tag} ${tag === 'tr' ? '' : 'class="failure" '}data-job="${name}">`);
  assert.ok(start >= 0, `no <${tag}> for ${name}`);
  return text.slice(start, text.indexOf(`</${tag}>`, start));
}

describe('fleet page: what it shows', () => {
  it('lists every job with its owner, its schedule in words and as written, and its next runs', () => {
    const text = page([
      job(),
      job({ name: 'report.daily', owner: undefined, describe: 'At 06:00', schedule: '0 6 * * *' }),
    ]);
    const row = block(text, 'tr', 'billing.charge');
    assert.match(row, /<strong>billing\.charge<\/strong>/);
    assert.match(row, /<td>billing-team<\/td>/);
    assert.match(row, /Every 5 minutes<br><code>\*\/5 \* \* \* \*<\/code>/);
    assert.match(row, /09:35:00 UTC<\/time> <span class="muted">in 5m<\/span>.*09:40:00 UTC.*09:45:00 UTC/s);
    assert.match(block(text, 'tr', 'report.daily'), /<td><span class="muted">—<\/span><\/td>/, 'no owner: a dash');
  });

  it('draws one cell per run, oldest first, by outcome colour and symbol, with replica, time, duration and error in its title', () => {
    const runs = [
      run({ outcome: 'timeout', startedAt: at('09:25'), instanceId: 'web-3', durationMs: 30_000, attempts: 2 }),
      run({
        outcome: 'failure',
        startedAt: at('09:20'),
        instanceId: 'web-2',
        error: { type: 'PgError', message: 'deadlock detected' },
      }),
      run({ outcome: 'cancelled', startedAt: at('09:15') }),
      run({ outcome: 'unexpected', startedAt: at('09:12') }),
      run({ outcome: 'success', startedAt: at('09:10'), trigger: 'fleet' }),
    ];
    const row = block(page([job()], { 'billing.charge': runs }), 'tr', 'billing.charge');
    const cells = [...row.matchAll(/<li class="r-(\w+)" title="([^"]*)">([^<]*)<\/li>/g)].map((m) => [
      m[1],
      m[3],
      m[2],
    ]);
    assert.deepEqual(
      cells.map(([outcome, symbol]) => `${outcome} ${symbol}`),
      ['success ✓', 'unexpected !', 'cancelled –', 'failure ✗', 'timeout ◷'],
    );
    assert.equal(
      cells[3]?.[2],
      'failure · 09:20:00 UTC (10m ago) · on web-2 · took 1.2 s · PgError: deadlock detected',
    );
    assert.equal(cells[4]?.[2], 'timeout · 09:25:00 UTC (5m ago) · on web-3 · took 30.0 s · 2 attempts');
    assert.match(cells[0]?.[2] ?? '', /trigger: fleet/);
  });

  it(`shows the newest ${TIMELINE_RUNS} runs at most`, () => {
    const runs = Array.from({ length: 45 }, (_, i) => run({ startedAt: new Date(NOW - (i + 1) * 60_000) }));
    const row = block(page([job()], { 'billing.charge': runs }), 'tr', 'billing.charge');
    const titles = [...row.matchAll(/<li class="r-success" title="success · ([\d:]+) UTC/g)].map((m) => m[1]);
    assert.equal(titles.length, TIMELINE_RUNS);
    assert.equal(titles[0], '09:00:00', 'the oldest shown is 30 minutes back');
    assert.equal(titles.at(-1), '09:29:00');
  });

  it('puts each failing job’s errors and its runbook side by side; an http(s) runbook is a link', () => {
    const failing = job({
      name: 'export',
      status: 'failing',
      failureStreak: 3,
      runbook: 'https://runbooks.example/export',
      lastRun: run({ outcome: 'failure', error: { type: 'Error', message: 'S3 503' } }),
    });
    const text = page([failing, job()], {
      export: [
        run({ outcome: 'failure', error: { type: 'Error', message: 'S3 503' } }),
        run({ startedAt: at('09:00') }),
      ],
    });
    const card = block(text, 'article', 'export');
    assert.match(card, /3 failed in a row/);
    assert.match(card, /<pre class="error">Error: S3 503<\/pre>/);
    assert.match(
      card,
      /<aside class="runbook"><h4>Runbook<\/h4><a href="https:\/\/runbooks\.example\/export" target="_blank" rel="noopener noreferrer">/,
    );
    assert.doesNotMatch(
      text,
      /<article class="failure" data-job="billing\.charge">/,
      'a job whose last run passed has no card',
    );
  });

  it('shows an error repeated run after run once, with when and where else it happened', () => {
    const error = { type: 'Error', message: 'S3 503' };
    const runs = [
      run({ outcome: 'failure', startedAt: at('09:25'), instanceId: 'web-2', error }),
      run({
        outcome: 'failure',
        startedAt: at('09:20'),
        instanceId: 'web-1',
        error: { type: 'TypeError', message: 'x is undefined' },
      }),
      run({ outcome: 'failure', startedAt: at('09:15'), instanceId: 'web-1', error }),
      run({ outcome: 'failure', startedAt: at('09:10'), instanceId: 'web-3', error }),
    ];
    const failing = job({ name: 'export', status: 'failing', failureStreak: 4, lastRun: runs[0] as FleetRun });
    const card = block(page([failing], { export: runs }), 'article', 'export');
    assert.deepEqual(
      [...card.matchAll(/<pre class="error">([^<]*)<\/pre>/g)].map((m) => m[1]),
      ['Error: S3 503', 'TypeError: x is undefined'],
    );
    assert.match(card, /The same 2 more times: 09:15:01 UTC on web-1, 09:10:01 UTC on web-3/);
  });

  it('a runbook that is not an http(s) URL stays text; a missing one says so', () => {
    const failing = (name: string, runbook?: string) =>
      job({ name, status: 'failing', failureStreak: 1, runbook, lastRun: run({ outcome: 'failure' }) });
    const text = page([
      failing('a', 'Restart the exporter, then page #data-oncall'),
      failing('b', 'javascript:alert(1)'),
      failing('c'),
    ]);
    assert.match(block(text, 'article', 'a'), /<h4>Runbook<\/h4>Restart the exporter, then page #data-oncall<\/aside>/);
    assert.match(block(text, 'article', 'b'), /<h4>Runbook<\/h4>javascript:alert\(1\)<\/aside>/);
    assert.doesNotMatch(text, /href="javascript/i);
    assert.match(block(text, 'article', 'c'), /none: give the job a runbook/);
  });

  it('says when the store keeps no history, and when there are no jobs', () => {
    const text = renderFleetPage({
      base: '',
      health: { ...health([]), history: false },
      runs: new Map(),
      visitor: { kind: 'no-token' },
      flash: null,
    });
    assert.match(text, /keeps no run history/);
    assert.match(text, /No job: no live replica has registered one/);
  });
});

describe('fleet page: escaping', () => {
  const hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>\'';

  it('escapes job names, descriptions, owners, pause reasons, errors, runbooks, replica names and the flash', () => {
    const evil = job({
      name: `job${hostile}`,
      description: hostile,
      owner: hostile,
      describe: hostile,
      schedule: hostile,
      status: 'paused',
      paused: { pattern: `job${hostile}`, reason: hostile, by: hostile, at: at('09:00'), until: null },
      failureStreak: 1,
      runbook: hostile,
      lastRun: run({ outcome: 'failure', instanceId: hostile, error: { type: hostile, message: hostile } }),
    });
    const text = page(
      [evil],
      { [evil.name]: [run({ outcome: 'failure', instanceId: hostile, error: { type: hostile, message: hostile } })] },
      { visitor: SIGNED_IN, flash: { kind: 'error', text: hostile } },
    );
    assert.doesNotMatch(text, /<script|<img|onerror=alert\(2\)>/);
    assert.ok(text.includes('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;'));
    // In attributes too: the quote cannot end the value.
    assert.ok(text.includes('data-job="job&lt;script&gt;'));
    assert.ok(text.includes('name="job" value="job&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;'));
  });

  it('has no script, no inline style or event attribute: the CSP allows one stylesheet and nothing else', () => {
    for (const text of [
      page([job()], {}, { visitor: SIGNED_IN }),
      renderSignInPage('', { kind: 'error', text: 'wrong token' }),
      renderNoticePage('', 'Loopback only', 'nope'),
    ]) {
      assert.doesNotMatch(text, /<script|\sstyle=|\son\w+=/i);
      const style = /<style>([\s\S]*?)<\/style>/.exec(text)?.[1] ?? '';
      assert.equal(`'sha256-${createHash('sha256').update(style).digest('base64')}'`, PAGE_STYLE_SOURCE);
    }
  });
});

describe('fleet page: controls', () => {
  const forms = (text: string) => [...text.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]);

  it('without a token there is no form at all, and the page says why', () => {
    const text = page([job()]);
    assert.deepEqual(forms(text), []);
    assert.match(text, /Read only: pause, resume and run-now appear when createHealthHandler is given a token/);
  });

  it('with a token but no session, only the sign-in form (to <base>/jobs/session)', () => {
    const text = page([job()], {}, { base: '/internal', visitor: { kind: 'signed-out' } });
    assert.deepEqual(forms(text), ['/internal/jobs/session']);
    assert.match(text, /<input type="password" name="token" required/);
  });

  it('signed in: pause (reason required, duration optional) and run-now (confirm box required) per job, each with its CSRF field', () => {
    const text = page([job()], {}, { visitor: SIGNED_IN });
    assert.deepEqual(forms(text), ['/jobs/page', '/jobs/page', '/jobs/page']);
    const row = block(text, 'tr', 'billing.charge');
    assert.match(
      row,
      /name="action" value="pause"><input type="hidden" name="job" value="billing\.charge"><input type="hidden" name="csrf" value="csrf-pause">/,
    );
    assert.match(row, /<input type="text" name="reason" required/);
    assert.match(row, /<input type="text" name="for"/);
    assert.match(
      row,
      /value="trigger">.*value="csrf-trigger">\s*<label><input type="checkbox" name="confirm" value="yes" required>/s,
    );
    assert.match(text, /Signed in as <strong>Ana<\/strong>/);
    assert.match(text, /value="signout">.*value="csrf-signout">/);
  });

  it('a paused job offers to resume the pause’s own pattern (with a confirm box) instead of pausing', () => {
    const paused = job({
      name: 'export.eu',
      status: 'paused',
      paused: { pattern: 'export.*', reason: 'bad upstream data', by: 'ana', at: at('09:00'), until: at('11:00') },
    });
    const text = page([paused], {}, { visitor: SIGNED_IN });
    const row = block(text, 'tr', 'export.eu');
    assert.doesNotMatch(row, /value="pause"/);
    assert.match(row, /value="resume"><input type="hidden" name="job" value="export\.\*">/);
    assert.match(row, /name="confirm" value="yes" required> resume export\.\* \(every job it matches\)/);
    assert.match(row, /by ana: bad upstream data <span class="muted">\(until 11:00:00 UTC, pattern export\.\*\)/);
  });
});
