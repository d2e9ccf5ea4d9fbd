// The editor's production status (tickwise.fleet.url): the setting read from user settings only,
// what the CodeLens, tree, hover and status bar say of a fleet job (fixed dates), and the HTTP
// client against a real node:http server running core's createHealthHandler.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { analyzeSource } from '@tickwise/analyzer';
import { createHealthHandler, type Fleet, type FleetRun } from '@tickwise/core';
import type { FleetHealth, FleetJob } from '../src/service/fleet-client.js';
import {
  DEFAULT_TIMEOUT_MS,
  FleetClient,
  type FleetFetch,
  type FleetRequestError,
  parseFleetHealth,
} from '../src/service/fleet-client.js';
import { nextPollDelay, POLL_MS } from '../src/service/fleet-poll.js';
import {
  ago,
  fleetDescription,
  fleetIcon,
  fleetLensTitle,
  fleetLensTooltip,
  fleetMarkdown,
  fleetStatusBar,
  fleetViewMessage,
  formatMs,
  runbookUrl,
  runsMarkdown,
} from '../src/service/fleet-presentation.js';
import { fleetUrlSetting, sendsTokenInClear } from '../src/service/fleet-url.js';
import { JobIndex } from '../src/service/job-index.js';
import { buildTree } from '../src/service/tree-model.js';

// Tuesday 1 Dec 2026, 07:30 UTC = 08:30 in Berlin: the digest's next run is 09:00 Berlin today.
const NOW = new Date('2026-12-01T07:30:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

function run(overrides: Partial<FleetRun> = {}): FleetRun {
  const endedAt = overrides.endedAt ?? minutesAgo(2);
  return {
    outcome: 'success',
    tick: endedAt,
    startedAt: new Date(endedAt.getTime() - 1300),
    endedAt,
    durationMs: 1300,
    lateMs: 4,
    instanceId: 'web-2',
    trigger: 'schedule',
    attempts: 1,
    ...overrides,
  };
}

function fleetJob(overrides: Partial<FleetJob> = {}): FleetJob {
  return {
    name: 'Reports.dailyDigest',
    schedule: '0 9 * * 1-5',
    timezone: 'Europe/Berlin',
    describe: 'At 09:00, Monday through Friday (Europe/Berlin)',
    owner: 'data-team',
    runbook: 'Rerun it: https://runbooks.example/digest. Idempotent.',
    status: 'ok',
    replicas: ['web-1', 'web-2'],
    paused: null,
    nextRuns: [new Date('2026-12-01T08:00:00Z'), new Date('2026-12-02T08:00:00Z')],
    lastRun: run(),
    lastSuccess: minutesAgo(2),
    failureStreak: 0,
    runs: 14,
    failures: 1,
    durationMs: { p50: 1200, p95: 2100 },
    lateMs: { p50: 3, p95: 9 },
    overdue: false,
    byVersion: [],
    regression: null,
    ...overrides,
  };
}

const failing = () =>
  fleetJob({
    status: 'failing',
    lastRun: run({
      outcome: 'timeout',
      endedAt: minutesAgo(5),
      durationMs: 10_000,
      error: { type: 'TimeoutError', message: 'the run took longer than 10s' },
    }),
    lastSuccess: new Date('2026-11-30T08:00:01Z'),
    failureStreak: 3,
  });

const paused = () =>
  fleetJob({
    status: 'paused',
    paused: {
      pattern: 'Reports.*',
      reason: 'deploy freeze',
      by: 'alice',
      at: minutesAgo(30),
      until: new Date('2026-12-01T13:00:42Z'),
    },
  });

describe('production status: tickwise.fleet.url comes from user settings only', () => {
  it('ignores a workspace value (and says so), whatever the user has set', () => {
    const attack = fleetUrlSetting({ defaultValue: '', workspaceValue: 'https://attacker.example' });
    assert.equal(attack.url, undefined);
    assert.match(attack.warnings.join('\n'), /workspace settings is ignored/);
    const both = fleetUrlSetting({
      defaultValue: '',
      globalValue: 'http://127.0.0.1:3000',
      workspaceValue: 'https://attacker.example',
      workspaceFolderValue: 'https://attacker.example',
    });
    assert.equal(both.url, 'http://127.0.0.1:3000');
    assert.equal(both.warnings.length, 1);
    assert.equal(fleetUrlSetting({ workspaceLanguageValue: 'https://attacker.example' }).url, undefined);
  });

  it('package.json declares it application-scoped, so VS Code does not apply it from a workspace either', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { scope?: string; default?: unknown }> } };
    };
    const setting = manifest.contributes.configuration.properties['tickwise.fleet.url'];
    assert.equal(setting?.scope, 'application');
    assert.equal(setting?.default, '');
  });

  it('takes the base address: trimmed, no trailing slash, query or /jobs; http(s) only; no credentials', () => {
    assert.deepEqual(fleetUrlSetting({ defaultValue: '' }), { warnings: [] });
    assert.equal(
      fleetUrlSetting({ globalValue: ' https://svc.example/internal/ ' }).url,
      'https://svc.example/internal',
    );
    assert.equal(
      fleetUrlSetting({ globalValue: 'http://127.0.0.1:3000/jobs?scope=fleet' }).url,
      'http://127.0.0.1:3000',
    );
    const file = fleetUrlSetting({ globalValue: 'file:///etc/passwd' });
    assert.equal(file.url, undefined);
    assert.match(file.warnings[0] ?? '', /only http and https/);
    assert.equal(fleetUrlSetting({ globalValue: 'not a url' }).url, undefined);
    const credentials = fleetUrlSetting({ globalValue: 'https://me:secret@svc.example' });
    assert.equal(credentials.url, 'https://svc.example');
    assert.match(credentials.warnings[0] ?? '', /Set Fleet Token/);
  });

  it('knows when a token would cross the network in clear', () => {
    assert.equal(sendsTokenInClear('http://127.0.0.1:3000'), false);
    assert.equal(sendsTokenInClear('http://localhost:3000'), false);
    assert.equal(sendsTokenInClear('https://svc.example'), false);
    assert.equal(sendsTokenInClear('http://svc.example'), true);
  });
});

describe('production status: the CodeLens of a fleet job', () => {
  it('a success: when, where, how long (and the p95), then the next run in the job’s zone', () => {
    assert.equal(fleetLensTitle(fleetJob(), NOW), '✓ 2 min ago on web-2 · 1.3 s (p95 2.1 s) — next 09:00');
  });

  it('failures in a row: how many, the error class, when and where', () => {
    assert.equal(fleetLensTitle(failing(), NOW), '✗ failed 3× · TimeoutError · 5 min ago on web-2 — next 09:00');
    const once = fleetJob({ status: 'degraded', failureStreak: 1, lastRun: run({ outcome: 'timeout' }) });
    assert.equal(fleetLensTitle(once, NOW), '✗ timed out · 2 min ago on web-2 — next 09:00');
  });

  it('a pause: who and why, and until when (no next run: it will not run)', () => {
    assert.equal(fleetLensTitle(paused(), NOW), '‖ paused by alice — deploy freeze · until 14:00');
    const open = fleetJob({
      paused: { pattern: 'Reports.dailyDigest', reason: 'bad\ndata', by: 'bob', at: NOW, until: null },
    });
    assert.equal(fleetLensTitle(open, NOW), '‖ paused by bob — bad data');
  });

  it('no runs yet, overdue, on no live replica; a run a day away shows its day; seconds when not :00', () => {
    assert.equal(
      fleetLensTitle(fleetJob({ lastRun: null, runs: 0, durationMs: null }), NOW),
      '○ no runs yet — next 09:00',
    );
    const late = fleetJob({ overdue: true, replicas: [], nextRuns: [new Date('2026-12-03T08:00:00Z')] });
    assert.equal(
      fleetLensTitle(late, NOW),
      '✓ 2 min ago on web-2 · 1.3 s (p95 2.1 s) · overdue · on no live replica — next Thu 3 Dec 09:00',
    );
    const fast = fleetJob({
      timezone: 'UTC',
      runs: 1,
      lastRun: run({ endedAt: new Date(NOW.getTime() - 12_000), durationMs: 203 }),
      nextRuns: [new Date('2026-12-01T07:29:45Z'), new Date('2026-12-01T07:30:15Z')],
    });
    // Ages to the minute: the lens is redrawn when the fleet is read, not every second.
    assert.equal(fleetLensTitle(fast, NOW), '✓ just now on web-2 · 203 ms — next 07:30:15');
  });

  it('the tooltip has the last run in full, the figures and what a click does', () => {
    const tooltip = fleetLensTooltip(failing(), NOW, 'http://127.0.0.1:3000');
    assert.match(tooltip, /^Reports\.dailyDigest in the fleet at http:\/\/127\.0\.0\.1:3000: failing$/m);
    assert.match(
      tooltip,
      /Last run timed out \(TimeoutError: the run took longer than 10s\), ended .* on web-2, took 10 s/,
    );
    assert.match(tooltip, /14 runs, 1 failed · 3 failures in a row · duration p50 1\.2 s, p95 2\.1 s/);
    assert.match(tooltip, /Click to run it now, pause or resume it\.$/);
  });

  it('the runbook lens opens the first address in the runbook note', () => {
    assert.equal(runbookUrl(fleetJob().runbook), 'https://runbooks.example/digest');
    assert.equal(runbookUrl('see (https://wiki.example/a?b=1).'), 'https://wiki.example/a?b=1');
    assert.equal(runbookUrl('Idempotent: rerun with POST /jobs/x/run'), undefined);
    assert.equal(runbookUrl('javascript:alert(1)'), undefined);
  });

  it('durations and ages read at a glance', () => {
    assert.deepEqual([203, 1000, 1340, 42_400, 150_000, 4_320_000].map(formatMs), [
      '203 ms',
      '1 s',
      '1.3 s',
      '42 s',
      '2.5 min',
      '1.2 h',
    ]);
    assert.deepEqual(
      [0.5, 12, 150, 5 * 3600, 3 * 86_400].map((seconds) => ago(minutesAgo(seconds / 60), NOW)),
      ['just now', '12 s ago', '2 min ago', '5 h ago', '3 d ago'],
    );
    assert.equal(ago(new Date(NOW.getTime() + 5000), NOW), 'just now');
    assert.equal(ago(minutesAgo(0.9), NOW, 'minute'), 'just now');
    assert.equal(ago(minutesAgo(2.5), NOW, 'minute'), '2 min ago');
  });
});

describe('production status: the tree and the hover', () => {
  const SOURCE = `import { Cron, Every } from '@tickwise/core';
export class Reports {
  @Cron('0 9 * * 1-5', { timezone: 'Europe/Berlin', owner: 'data-team' })
  dailyDigest() {}

  @Every('15m')
  notDeployed() {}
}
`;
  const entries = () => {
    const index = new JobIndex(() => NOW);
    index.update('file:///w/reports.ts', 'reports.ts', SOURCE, 'v1');
    return index.jobs();
  };

  it('each job leads with what the fleet says, matched by name; not connected, nothing changes', () => {
    const describe = (fleet?: Map<string, FleetJob>) =>
      buildTree(entries(), 'file', NOW, new Set(), fleet)[0]?.children.map((c) => c.description);
    assert.deepEqual(describe(), ['in 30m · data-team', 'in 15m']);
    assert.deepEqual(describe(new Map([['Reports.dailyDigest', paused()]])), [
      'paused by alice: deploy freeze · in 30m · data-team',
      'not in the fleet · in 15m',
    ]);
    assert.deepEqual(
      describe(new Map([['Reports.dailyDigest', failing()]]))?.[0],
      'failed 3× (TimeoutError) · in 30m · data-team',
    );
    assert.equal(fleetDescription(fleetJob(), NOW), 'ran 2 min ago');
    assert.equal(fleetDescription(fleetJob({ lastRun: null, overdue: true }), NOW), 'no runs yet, overdue');
  });

  it('the icon is the status', () => {
    assert.deepEqual(fleetIcon(fleetJob()), { id: 'pass', color: 'testing.iconPassed' });
    assert.deepEqual(fleetIcon(failing()), { id: 'error', color: 'problemsErrorIcon.foreground' });
    assert.deepEqual(fleetIcon(fleetJob({ status: 'degraded' })), {
      id: 'warning',
      color: 'problemsWarningIcon.foreground',
    });
    assert.deepEqual(fleetIcon(paused()), { id: 'debug-pause' });
    assert.deepEqual(fleetIcon(fleetJob({ lastRun: null })), { id: 'circle-outline' });
    assert.deepEqual(fleetIcon(fleetJob({ status: 'unknown' })), { id: 'question' });
    assert.deepEqual(fleetIcon('not-in-fleet'), { id: 'circle-slash' });
  });

  it('the tooltip and hover: status, pause with who and why, last run, figures, escaped', () => {
    const job = paused();
    const markdown = fleetMarkdown(
      { ...job, paused: { ...(job.paused as NonNullable<FleetJob['paused']>), reason: 'freeze [click](command:x)' } },
      NOW,
      'http://127.0.0.1:3000',
    );
    assert.match(markdown, /^\*\*Fleet\*\* \(http:\/\/127\\\.0\\\.0\\\.1:3000\): paused · on web\\-1, web\\-2 {2}$/m);
    assert.match(markdown, /‖ Paused by alice at Tue 2026-12-01 08:00 GMT\+1, until Tue 2026-12-01 14:00:42 GMT\+1: /);
    assert.match(markdown, /freeze \\\[click\\\]\\\(command:x\\\) \(pause of Reports\\\.\\\*\)/);
    assert.match(markdown, /Last run: ✓ succeeded 2 min ago on web\\-2, took 1\.3 s/);
    assert.match(markdown, /14 runs, 1 failed · duration p50 1\\\.2 s, p95 2\\\.1 s/);
    assert.match(markdown, /Runbook: Rerun it: https:\/\/runbooks\\\.example\/digest\\\. Idempotent\\\./);
    assert.match(fleetMarkdown(failing(), NOW, 'u'), /Last success: Mon 2026-11-30 09:00:01 GMT\+1 \(23 h ago\)/);
    assert.match(fleetMarkdown('not-in-fleet', NOW, 'u'), /no live replica reports a job of this name/);
  });

  it('the hover lists the last runs, newest first, with errors and attempts', () => {
    const table = runsMarkdown(
      [
        run({ attempts: 2 }),
        run({ outcome: 'failure', endedAt: minutesAgo(62), error: { type: 'Error', message: 'API | 503' } }),
      ],
      NOW,
      'UTC',
    );
    assert.deepEqual(table.split('\n'), [
      '| ended | | took | on | trigger |',
      '|---|---|---|---|---|',
      '| Tue 1 Dec 07:28 (2 min ago) | ✓ succeeded | 1.3 s, 2 attempts | web\\-2 | schedule |',
      '| Tue 1 Dec 06:28 (1 h ago) | ✗ failed (Error: API \\| 503) | 1.3 s | web\\-2 | schedule |',
    ]);
    assert.equal(runsMarkdown([], NOW, 'UTC'), '_No runs recorded yet._');
  });
});

describe('production status: the status bar and the view’s message', () => {
  const url = 'http://127.0.0.1:3000';
  const health = (jobs: FleetJob[]): FleetHealth => ({
    scope: 'fleet',
    status: 'failing',
    checkedAt: NOW,
    history: true,
    replicas: [
      {
        instanceId: 'web-1',
        host: 'h',
        pid: 1,
        startedAt: NOW,
        lastSeen: NOW,
        alive: true,
        jobs: 2,
        clockOffsetMs: null,
      },
    ],
    jobs,
  });

  it('connected: the statuses counted, worst first', () => {
    const bar = fleetStatusBar(
      { kind: 'connected', url, health: health([failing(), fleetJob(), paused()]), checkedAt: NOW },
      NOW,
    );
    assert.equal(bar.text, '$(error) Fleet: 1 failing, 1 paused, 1 ok');
    assert.match(bar.tooltip, /1 of 1 replica alive; checked just now/);
    assert.equal(bar.warning, false);
  });

  it('unreachable, refused or wanting a token: says so, and a click does the right thing', () => {
    const failed = (code: FleetRequestError['code'], message: string) =>
      fleetStatusBar({ kind: 'failed', url, error: { code, message }, checkedAt: NOW }, NOW);
    const down = failed('FLEET_UNREACHABLE', 'cannot reach http://127.0.0.1:3000: connect ECONNREFUSED');
    assert.equal(down.text, '$(debug-disconnect) Fleet unreachable');
    assert.equal(down.warning, true);
    assert.equal(down.click, 'refresh');
    assert.match(down.tooltip, /ECONNREFUSED\nTried just now; retried every 30 s/);
    assert.equal(failed('FLEET_TIMEOUT', 'x').text, '$(debug-disconnect) Fleet unreachable');
    const token = failed('FLEET_UNAUTHORIZED', 'needs a token');
    assert.equal(token.text, '$(lock) Fleet: token needed');
    assert.equal(token.click, 'setToken');
    assert.equal(failed('FLEET_FORBIDDEN', 'loopback only').text, '$(lock) Fleet: refused (403)');
    assert.equal(
      fleetViewMessage({
        kind: 'failed',
        url,
        error: { code: 'FLEET_FORBIDDEN', message: 'loopback only' },
        checkedAt: NOW,
      }),
      'Fleet status unavailable: loopback only',
    );
    assert.equal(fleetViewMessage({ kind: 'connecting', url }), undefined);
  });
});

describe('production status: when the fleet is read again', () => {
  const t = NOW.getTime();
  it('every 30 s while jobs are in view; at once the first time, or when they come back into view after a while', () => {
    assert.equal(POLL_MS, 30_000);
    assert.equal(nextPollDelay(undefined, t, true), 0);
    assert.equal(nextPollDelay(t - 10_000, t, true), 20_000);
    assert.equal(nextPollDelay(t - 45_000, t, true), 0);
  });

  it('not at all while no job is in view (or the window is not focused): no timer', () => {
    assert.equal(nextPollDelay(t - 45_000, t, false), undefined);
    assert.equal(nextPollDelay(undefined, t, false), undefined);
  });
});

describe('production status: the HTTP client against createHealthHandler on node:http', () => {
  const TOKEN = 'token-123';
  let server: Server;
  let base: string;
  const calls: { method: string; args: unknown[] }[] = [];
  let source: { health(): Promise<never>; fleet: Fleet | null };
  const status: FleetHealth = {
    scope: 'fleet',
    status: 'failing',
    checkedAt: NOW,
    history: true,
    replicas: [],
    jobs: [failing(), paused(), fleetJob({ name: 'jobs/with slash', lastRun: null })],
  };

  before(async () => {
    const fleet = {
      status: async () => status,
      runs: async (job: string, options: { limit?: number }) => {
        calls.push({ method: 'runs', args: [job, options] });
        return [run(), run({ outcome: 'failure', error: { type: 'Error' } })];
      },
      pause: async (pattern: string, options: object) => {
        calls.push({ method: 'pause', args: [pattern, options] });
        return { pattern, reason: 'r', by: 'me', at: NOW.getTime(), until: null };
      },
      resume: async (pattern: string) => {
        calls.push({ method: 'resume', args: [pattern] });
        return true;
      },
      trigger: async (job: string, options: object) => {
        calls.push({ method: 'trigger', args: [job, options] });
        return { id: 't1', job, by: 'me', at: NOW.getTime() };
      },
    };
    source = { health: () => Promise.reject(new Error('not used')), fleet: fleet as unknown as Fleet };
    const handler = createHealthHandler(source, { token: TOKEN });
    server = createServer((request, response) => {
      if (request.url === '/slow/jobs?scope=fleet') return; // never answers
      if (request.url === '/html/jobs?scope=fleet') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!doctype html><p>login</p>');
        return;
      }
      if (request.url === '/moved/jobs?scope=fleet') {
        response.writeHead(302, { location: 'https://elsewhere.example/jobs?scope=fleet' });
        response.end();
        return;
      }
      handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (options: { token?: string; path?: string; timeoutMs?: number } = {}) =>
    new FleetClient({
      baseUrl: `${base}${options.path ?? ''}`,
      fetch: fetch as unknown as FleetFetch,
      ...(options.token && { token: options.token }),
      ...(options.timeoutMs && { timeoutMs: options.timeoutMs }),
    });

  it('reads the fleet with the token, its dates Dates again', async () => {
    const health = await client({ token: TOKEN }).status();
    assert.deepEqual(
      health.jobs.map((j) => [j.name, j.status]),
      [
        ['Reports.dailyDigest', 'failing'],
        ['Reports.dailyDigest', 'paused'],
        ['jobs/with slash', 'ok'],
      ],
    );
    const [first, second] = health.jobs;
    assert.ok(first?.lastRun?.endedAt instanceof Date);
    assert.equal(first?.lastRun?.endedAt.toISOString(), minutesAgo(5).toISOString());
    assert.equal(first?.lastRun?.error?.type, 'TimeoutError');
    assert.equal(second?.paused?.until?.toISOString(), '2026-12-01T13:00:42.000Z');
    assert.equal(fleetLensTitle(first as FleetJob, NOW), fleetLensTitle(failing(), NOW));
  });

  it('without the token: 401, with the hint to set it', async () => {
    await assert.rejects(client().status(), (error: FleetRequestError) => {
      assert.equal(error.code, 'FLEET_UNAUTHORIZED');
      assert.equal(error.status, 401);
      assert.match(error.message, /answered 401 \(the service needs a token; run "Tickwise: Set Fleet Token"\)/);
      return true;
    });
    await assert.rejects(client({ token: 'wrong' }).status(), /the fleet token was refused/);
  });

  it('reads a job’s runs, its name encoded (a name with a slash fits)', async () => {
    const runs = await client({ token: TOKEN }).runs('jobs/with slash', 5);
    assert.equal(runs.length, 2);
    assert.ok(runs[0]?.endedAt instanceof Date);
    assert.deepEqual(calls.at(-1), { method: 'runs', args: ['jobs/with slash', { limit: 5 }] });
  });

  it('sends pause (reason, duration, who), resume and trigger with the token', async () => {
    const pause = await client({ token: TOKEN }).pause('Reports.*', {
      reason: 'freeze',
      for: '2h',
      by: 'alice (VS Code)',
    });
    assert.equal(pause.pattern, 'Reports.*');
    assert.equal(pause.at.toISOString(), NOW.toISOString());
    assert.deepEqual(calls.at(-1), {
      method: 'pause',
      args: ['Reports.*', { reason: 'freeze', by: 'alice (VS Code)', for: '2h' }],
    });
    assert.equal(await client({ token: TOKEN }).resume('Reports.*', 'alice (VS Code)'), true);
    assert.deepEqual(calls.at(-1), { method: 'resume', args: ['Reports.*'] });
    await client({ token: TOKEN }).trigger('Reports.dailyDigest', 'alice (VS Code)');
    assert.deepEqual(calls.at(-1), { method: 'trigger', args: ['Reports.dailyDigest', { by: 'alice (VS Code)' }] });
    await assert.rejects(client().trigger('Reports.dailyDigest', 'x'), { code: 'FLEET_UNAUTHORIZED' });
  });

  it('a service without a token refuses controls (403), with its reason', async () => {
    const open = createServer((request, response) => createHealthHandler(source)(request, response));
    await new Promise<void>((resolve) => open.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(open.address() as AddressInfo).port}`;
      const plain = new FleetClient({ baseUrl: url, fetch: fetch as unknown as FleetFetch });
      assert.equal((await plain.status()).jobs.length, 3); // loopback reads need no token
      await assert.rejects(plain.pause('Reports.dailyDigest', { reason: 'r', by: 'b' }), (error: FleetRequestError) => {
        assert.equal(error.code, 'FLEET_FORBIDDEN');
        assert.match(error.message, /refused \(403\): fleet controls over HTTP need the handler’s token option/);
        return true;
      });
    } finally {
      open.closeAllConnections();
      await new Promise((resolve) => open.close(resolve));
    }
  });

  it('a service that does not answer in time (10 s by default), or is not there: FLEET_TIMEOUT, FLEET_UNREACHABLE', async () => {
    assert.equal(DEFAULT_TIMEOUT_MS, 10_000);
    await assert.rejects(client({ path: '/slow', timeoutMs: 200 }).status(), (error: FleetRequestError) => {
      assert.equal(error.code, 'FLEET_TIMEOUT');
      assert.match(error.message, /\/slow did not answer within 200 ms$/);
      return true;
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const gone = new FleetClient({ baseUrl: `http://127.0.0.1:${port}`, fetch: fetch as unknown as FleetFetch });
    await assert.rejects(gone.status(), (error: FleetRequestError) => {
      assert.equal(error.code, 'FLEET_UNREACHABLE');
      assert.match(error.message, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
      return true;
    });
  });

  it('not the fleet API: an HTML page, a 404, a redirect (not followed: it could carry the token away)', async () => {
    await assert.rejects(client({ path: '/html' }).status(), { code: 'FLEET_BAD_ANSWER' });
    await assert.rejects(client({ path: '/nothing', token: TOKEN }).status(), (error: FleetRequestError) => {
      assert.equal(error.code, 'FLEET_NOT_FOUND');
      assert.match(error.message, /is tickwise\.fleet\.url the address the service serves \/jobs under/);
      return true;
    });
    await assert.rejects(client({ path: '/moved', token: TOKEN }).status(), (error: FleetRequestError) => {
      assert.equal(error.code, 'FLEET_HTTP');
      assert.match(error.message, /redirects to https:\/\/elsewhere\.example/);
      return true;
    });
    assert.throws(() => parseFleetHealth({ status: 'ok', jobs: {} }, 'u'), { code: 'FLEET_BAD_ANSWER' });
  });

  it('the client is what the lens reads: a job of the code matched to the fleet by its analysed name', async () => {
    const analysis = analyzeSource(
      'reports.ts',
      "import { Cron } from '@tickwise/core';\nclass Reports { @Cron('0 9 * * 1-5') dailyDigest() {} }",
      { now: NOW },
    );
    const health = await client({ token: TOKEN }).status();
    const byName = new Map(health.jobs.map((j) => [j.name, j]));
    assert.ok(byName.get(analysis.jobs[0]?.name ?? ''));
  });
});
