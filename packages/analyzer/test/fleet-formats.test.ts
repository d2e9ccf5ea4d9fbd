// The text of `tickwise fleet status` and `tickwise fleet runs`, from fixed fleet data.
import assert from 'node:assert/strict';
import type { FleetHealth, FleetJob, FleetRun } from '@tickwise/core';
import { formatRunDuration, formatRuns, formatStatus, regressionText } from '../src/cli/fleet-formats.js';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const later = (ms: number) => new Date(NOW.getTime() + ms);

function run(overrides: Partial<FleetRun>): FleetRun {
  const startedAt = overrides.startedAt ?? ago(121_300);
  const durationMs = overrides.durationMs ?? 1300;
  return {
    outcome: 'success',
    tick: startedAt,
    startedAt,
    endedAt: new Date(startedAt.getTime() + durationMs),
    durationMs,
    lateMs: 5,
    instanceId: 'web-2',
    trigger: 'schedule',
    attempts: 1,
    ...overrides,
  };
}

function job(overrides: Partial<FleetJob> & { name: string }): FleetJob {
  return {
    status: 'ok',
    replicas: ['web-1', 'web-2'],
    paused: null,
    nextRuns: [later(45_000)],
    lastRun: null,
    lastSuccess: null,
    failureStreak: 0,
    runs: 0,
    failures: 0,
    durationMs: null,
    lateMs: null,
    overdue: false,
    byVersion: [],
    regression: null,
    ...overrides,
  };
}

const HEALTH: FleetHealth = {
  scope: 'fleet',
  status: 'failing',
  checkedAt: NOW,
  history: true,
  replicas: [
    {
      instanceId: 'web-1',
      host: 'ip-10-0-0-1',
      pid: 41,
      version: '1.5.0',
      startedAt: ago(3_600_000),
      lastSeen: ago(2000),
      alive: true,
      jobs: 4,
      clockOffsetMs: 3,
    },
    {
      instanceId: 'web-2',
      host: 'ip-10-0-0-2',
      pid: 42,
      version: '1.4.0',
      startedAt: ago(7_200_000),
      lastSeen: ago(720_000),
      alive: false,
      jobs: 4,
      clockOffsetMs: null,
    },
  ],
  jobs: [
    job({
      name: 'export.orders',
      owner: 'data-team',
      lastRun: run({}),
      runs: 20,
      durationMs: { p50: 1200, p95: 2100 },
      byVersion: [],
      regression: {
        version: '1.5.0',
        previous: '1.4.0',
        failureRate: { now: 0.4, before: 0.02 },
      },
      status: 'degraded',
    }),
    job({
      name: 'export.invoices',
      owner: 'billing',
      status: 'failing',
      failureStreak: 3,
      lastRun: run({
        outcome: 'timeout',
        instanceId: 'web-1',
        startedAt: ago(35_000),
        durationMs: 30_000,
        error: { type: 'JobTimeoutError', message: 'timed out after 30 s' },
      }),
    }),
    job({
      name: 'report.daily',
      status: 'degraded',
      overdue: true,
      nextRuns: [later(18 * 3_600_000)],
    }),
    job({
      name: 'sync.crm',
      owner: 'sales-ops',
      status: 'paused',
      paused: {
        pattern: 'sync.*',
        reason: 'CRM maintenance',
        by: 'alice@laptop',
        at: ago(60_000),
        until: later(7_140_000),
      },
    }),
  ],
};

describe('tickwise fleet status: text', () => {
  it('says the fleet status, then a job table (last run, next run, owner), the replicas, and what needs a look', () => {
    assert.equal(
      formatStatus(HEALTH),
      [
        'Fleet failing · 1 of 2 replicas alive · 4 jobs: 2 degraded, 1 failing, 1 paused · store time 2026-12-01 12:00:00Z',
        '',
        'JOB              STATUS    LAST RUN                               NEXT RUN  OWNER',
        'export.orders    degraded  ✓ 2m ago on web-2 · 1.3 s (p95 2.1 s)  in 45s    data-team',
        'export.invoices  failing   ✗ timeout 3× · JobTimeoutError         in 45s    billing',
        'report.daily     degraded  -                                      in 18h    -',
        'sync.crm         paused    -                                      paused    sales-ops',
        '',
        'REPLICA  STATE  VERSION  HOST            JOBS  LAST SEEN',
        'web-1    alive  1.5.0    ip-10-0-0-1:41  4     2s ago',
        'web-2    gone   1.4.0    ip-10-0-0-2:42  4     12m ago',
        '',
        'ATTENTION',
        'regression  export.orders: 1.5.0 fails 40 % vs 2 % in 1.4.0',
        'failing     export.invoices: 3 failed runs in a row, the last 5s ago on web-1 · JobTimeoutError: timed out after 30 s',
        'overdue     report.daily: never ran; two of its ticks passed without a run',
        'paused      sync.* (sync.crm) by alice@laptop until 2026-12-01 13:59:00Z (in 1h 59m) · CRM maintenance',
      ].join('\n'),
    );
  });

  it('a failed last run reads "✗ failed N×" with the error class', () => {
    const failed = job({
      name: 'a',
      status: 'degraded',
      failureStreak: 1,
      lastRun: run({ outcome: 'failure', error: { type: 'UpstreamError' } }),
    });
    const text = formatStatus({ ...HEALTH, jobs: [failed] });
    assert.match(text, /^a\s+degraded\s+✗ failed 1× · UpstreamError\s+in 45s\s+-$/m);
  });

  it('an instant within a second of the store time, or a little after it (another clock), reads "just now"', () => {
    const replica = { ...(HEALTH.replicas[0] as FleetHealth['replicas'][number]), lastSeen: later(300) };
    const ran = job({
      name: 'a',
      lastRun: run({ startedAt: ago(900), durationMs: 400 }),
      durationMs: { p50: 400, p95: 400 },
    });
    const text = formatStatus({ ...HEALTH, replicas: [replica], jobs: [ran] });
    assert.match(text, /^a\s+ok\s+✓ just now on web-2 · 400 ms \(p95 400 ms\)\s+in 45s\s+-$/m);
    assert.match(text, /^web-1\s+alive\s+1\.5\.0\s+ip-10-0-0-1:41\s+4\s+just now$/m);
  });

  it('says when no replica is alive and when the store keeps no history', () => {
    const text = formatStatus({ ...HEALTH, status: 'degraded', history: false, replicas: [], jobs: [] });
    assert.equal(
      text,
      [
        'Fleet degraded · 0 of 0 replicas alive · 0 jobs · store time 2026-12-01 12:00:00Z',
        '',
        'ATTENTION',
        'no replica  no replica is alive on this store: nothing runs',
        'no history  the store keeps no run history (history: false): no last runs',
      ].join('\n'),
    );
  });

  it('a slower version reads as its p95 against the previous one', () => {
    assert.equal(
      regressionText({ version: '2.0.0', previous: '1.9.1', p95DurationMs: { now: 2100, before: 950 } }),
      '2.0.0 p95 2.1 s vs 950 ms in 1.9.1',
    );
  });

  it('durations: ms below a second, one decimal below 10 s, whole seconds, then minutes', () => {
    assert.deepEqual([0, 850, 1349, 9999, 12_400, 60_000, 125_000].map(formatRunDuration), [
      '0 ms',
      '850 ms',
      '1.3 s',
      '9.9 s',
      '12 s',
      '1m',
      '2m 5s',
    ]);
  });
});

describe('tickwise fleet runs: text', () => {
  it('lists runs newest first: start, replica, version, trigger, outcome, duration, error', () => {
    const runs = [
      run({
        startedAt: ago(5000),
        instanceId: 'web-1',
        version: '1.5.0',
        trigger: 'fleet',
        outcome: 'failure',
        attempts: 2,
        durationMs: 2300,
        error: { type: 'UpstreamError', message: 'ledger API answered 503' },
      }),
      run({ startedAt: ago(65_000), version: '1.4.0', durationMs: 40 }),
    ];
    assert.equal(
      formatRuns('export.orders', runs, NOW),
      [
        'export.orders: 2 runs, newest first',
        '',
        'STARTED                           REPLICA  VERSION  TRIGGER   OUTCOME                 DURATION  ERROR',
        '2026-12-01 11:59:55Z (5s ago)     web-1    1.5.0    fleet     ✗ failure (2 attempts)  2.3 s     UpstreamError: ledger API answered 503',
        '2026-12-01 11:58:55Z (1m 5s ago)  web-2    1.4.0    schedule  ✓ success               40 ms',
      ].join('\n'),
    );
  });

  it('says so when the store has no runs of the job', () => {
    assert.equal(formatRuns('nope', [], NOW), "No runs of 'nope' in the store's history.");
  });
});
