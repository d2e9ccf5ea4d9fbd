import assert from 'node:assert/strict';
import type { ReplicaRecord, RunRecord } from '@tickwise/core/store';
import { fleetHealth, percentiles } from '../../../src/runtime/fleet-status.js';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const MIN = 60_000;

const replica = (instanceId: string, alive = true, catalog: ReplicaRecord['catalog'] = []): ReplicaRecord => ({
  instanceId,
  host: 'h',
  pid: 1,
  startedAt: NOW - 60 * MIN,
  jobs: catalog.length,
  clockOffsetMs: 0,
  lastSeen: NOW,
  alive,
  catalog,
});

const entry = (name: string, schedule = '*/5 * * * *') => ({
  name,
  kind: 'cron' as const,
  schedule,
  timezone: 'UTC',
  describe: 'Every 5 minutes',
  timeoutMs: 0,
});

let fence = 0;
const run = (job: string, minutesAgo: number, overrides: Partial<RunRecord> = {}): RunRecord => ({
  job,
  tick: NOW - minutesAgo * MIN,
  instanceId: 'web-1',
  trigger: 'schedule',
  outcome: 'success',
  startedAt: NOW - minutesAgo * MIN + 10,
  durationMs: 100,
  lateMs: 10,
  attempts: 1,
  fence: ++fence,
  ...overrides,
});

const health = (runs: RunRecord[], replicas: ReplicaRecord[] = [replica('web-1', true, [entry('job')])]) =>
  fleetHealth({ now: NOW, replicas, runs, controls: { storeTime: NOW, pauses: [], triggers: [] }, history: true });

describe('fleet status: the rules', () => {
  it('a job is failing after 3 failed runs in a row, degraded after 1 or 2, ok once one succeeds', () => {
    const failed = (n: number) => Array.from({ length: n }, (_, i) => run('job', 5 * (i + 1), { outcome: 'failure' }));
    assert.equal(health(failed(3)).jobs[0]?.status, 'failing');
    assert.equal(health(failed(2)).jobs[0]?.status, 'degraded');
    assert.equal(health([run('job', 1), ...failed(3)]).jobs[0]?.status, 'ok', 'the newest run succeeded');
    assert.equal(health([run('job', 1), ...failed(3)]).jobs[0]?.failureStreak, 0);
    assert.equal(health(failed(3)).status, 'failing', 'the fleet takes the worst job');
  });

  it('the fleet is degraded when no replica is alive; a job nobody has and that never ran is unknown', () => {
    const gone = health([], [replica('web-1', false, [entry('job')])]);
    assert.equal(gone.status, 'degraded');
    assert.equal(gone.jobs.length, 0, 'a dead replica’s catalog says nothing about today');
    const ranOnce = health([run('old-job', 30)], [replica('web-1', false)]);
    assert.equal(ranOnce.jobs[0]?.status, 'ok');
    assert.deepEqual(ranOnce.jobs[0]?.replicas, []);
  });

  it('overdue: two ticks and the grace passed since the last scheduled run; a manual run does not count', () => {
    assert.equal(health([run('job', 5)]).jobs[0]?.overdue, false);
    assert.equal(health([run('job', 12)]).jobs[0]?.overdue, true, 'ticks at 11:50 and 11:55 passed, grace 60 s');
    assert.equal(health([run('job', 1, { trigger: 'fleet' }), run('job', 12)]).jobs[0]?.overdue, true);
  });

  it('flags a regression only with 3 runs of each version, by 10 points of failure rate or 1.5x (and 100 ms) of p95', () => {
    const of = (version: string, minutesAgo: number, outcome: RunRecord['outcome'], durationMs = 100) =>
      run('job', minutesAgo, { version, outcome, durationMs });
    const older = [of('1.0', 60, 'success'), of('1.0', 55, 'success'), of('1.0', 50, 'success')];
    const twoNew = [of('1.1', 10, 'failure'), of('1.1', 5, 'failure')];
    assert.equal(health([...twoNew, ...older]).jobs[0]?.regression, null, 'two runs are too few to say');
    const threeNew = [of('1.1', 15, 'failure'), ...twoNew];
    assert.deepEqual(health([...threeNew, ...older]).jobs[0]?.regression, {
      version: '1.1',
      previous: '1.0',
      failureRate: { now: 1, before: 0 },
    });
    const slower = [of('1.1', 15, 'success', 160), of('1.1', 10, 'success', 160), of('1.1', 5, 'success', 160)];
    assert.equal(health([...slower, ...older]).jobs[0]?.regression, null, '1.6x but only 60 ms slower');
    const muchSlower = [of('1.1', 15, 'success', 400), of('1.1', 10, 'success', 400), of('1.1', 5, 'success', 400)];
    assert.deepEqual(health([...muchSlower, ...older]).jobs[0]?.regression?.p95DurationMs, { now: 400, before: 100 });
  });

  it('percentiles are nearest-rank', () => {
    assert.deepEqual(percentiles([5, 1, 4, 2, 3]), { p50: 3, p95: 5 });
    assert.deepEqual(percentiles(Array.from({ length: 100 }, (_, i) => i + 1)), { p50: 50, p95: 95 });
    assert.equal(percentiles([]), null);
  });
});
