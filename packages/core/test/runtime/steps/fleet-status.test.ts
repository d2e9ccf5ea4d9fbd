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

const rest = { controls: { storeTime: NOW, pauses: [], triggers: [] }, history: true };

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

  it('the fleet is degraded when no replica is alive; a job is listed while a live replica has it or it has runs', () => {
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

  it('counts only the runs that ended within the window, a run that ended on its edge included', () => {
    const runs = [run('job', 5), run('job', 30), run('job', 45)];
    const window = (windowMs?: number) =>
      fleetHealth(
        { now: NOW, replicas: [], runs, controls: { storeTime: NOW, pauses: [], triggers: [] }, history: true },
        windowMs === undefined ? {} : { windowMs },
      ).jobs[0]?.runs;
    assert.equal(window(), 3, 'no window: all the store keeps');
    // run('job', 30) ended at NOW - 30 min + 110 ms.
    assert.equal(window(30 * MIN - 110), 2);
    assert.equal(window(30 * MIN - 111), 1);
    const none = fleetHealth(
      { now: NOW, replicas: [], runs, controls: { storeTime: NOW, pauses: [], triggers: [] }, history: true },
      { windowMs: MIN },
    );
    assert.deepEqual(none.jobs, [], 'a job with no live replica and no run in the window is not listed');
  });

  it('a job several live replicas have lists them sorted, takes the first one’s entry and the earliest start', () => {
    const late = { ...replica('web-1', true, [{ ...entry('job'), owner: 'second' }]), startedAt: NOW - 2 * MIN };
    const early = replica('web-2', true, [{ ...entry('job'), owner: 'first' }]);
    const dead = replica('web-0', false, [entry('job')]);
    const job = health([], [early, dead, late]).jobs[0];
    assert.deepEqual(job?.replicas, ['web-1', 'web-2'], 'sorted, and the dead replica is not one of them');
    assert.equal(job?.owner, 'first');
    assert.equal(job?.overdue, true, 'web-2 started an hour ago and nothing ran since');
    const fresh = health([], [late]).jobs[0];
    assert.equal(fresh?.overdue, false, 'started 2 minutes ago: not two ticks yet');
  });

  it('lists jobs by name, with the catalog’s schedule and only the metadata the entry has', () => {
    const described = { ...entry('b-job'), owner: 'data', description: 'Exports', runbook: 'https://rb' };
    const fleet = health([run('c-ran-only', 1)], [replica('web-1', true, [described, entry('a-job')])]);
    assert.deepEqual(
      fleet.jobs.map((job) => job.name),
      ['a-job', 'b-job', 'c-ran-only'],
    );
    const [plain, full, ranOnly] = fleet.jobs;
    assert.equal(plain?.schedule, '*/5 * * * *');
    assert.equal(plain?.timezone, 'UTC');
    assert.equal(plain?.describe, 'Every 5 minutes');
    assert.deepEqual(
      ['owner', 'description', 'runbook'].filter((key) => plain && key in plain),
      [],
      'no empty keys for what the entry does not say',
    );
    assert.deepEqual([full?.owner, full?.description, full?.runbook], ['data', 'Exports', 'https://rb']);
    assert.equal(ranOnly && 'schedule' in ranOnly, false, 'no catalog entry, no schedule');
    assert.deepEqual(ranOnly?.nextRuns, []);
    const manualOnly = health([run('gone', 1, { trigger: 'manual' })], []).jobs[0];
    assert.deepEqual([manualOnly?.name, manualOnly?.status, manualOnly?.overdue], ['gone', 'ok', false]);
  });

  it('overdue counts scheduled and catch-up runs, not manual ones, and the job’s timeout adds to the grace', () => {
    assert.equal(health([run('job', 1, { trigger: 'catch-up' })]).jobs[0]?.overdue, false);
    assert.equal(health([run('job', 1, { trigger: 'manual' })]).jobs[0]?.overdue, true, 'since the start, 60 min');
    const slow = [replica('web-1', true, [{ ...entry('job'), timeoutMs: 5 * MIN }])];
    // Ran at 11:48: ticks at 11:50 and 11:55 passed; 11:55 + 60 s + 5 min is after 12:00.
    assert.equal(health([run('job', 12)], slow).jobs[0]?.overdue, false);
    assert.equal(health([run('job', 12)]).jobs[0]?.overdue, true);
    const graced = fleetHealth(
      { now: NOW, replicas: [replica('web-1', true, [entry('job')])], runs: [run('job', 12)], ...rest },
      { graceMs: 5 * MIN },
    );
    assert.equal(graced.jobs[0]?.overdue, false, 'the graceMs option');
  });

  it('a job disabled on the replicas, paused, or whose schedule this version cannot build is not overdue', () => {
    const disabled = [replica('web-1', true, [{ ...entry('job'), disabledReason: 'TICKWISE_DISABLED_JOBS' }])];
    assert.equal(health([], disabled).jobs[0]?.overdue, false);
    assert.equal(health([], disabled).jobs[0]?.status, 'ok');
    const unbuildable = [replica('web-1', true, [entry('job', 'every full moon')])];
    assert.equal(health([], unbuildable).jobs[0]?.overdue, false);
    assert.deepEqual(health([], unbuildable).jobs[0]?.nextRuns, []);
    const pause = { pattern: 'j*', reason: 'incident', by: 'ana', at: NOW - MIN, until: NOW + MIN };
    const paused = fleetHealth({
      now: NOW,
      replicas: [replica('web-1', true, [entry('job')])],
      runs: [run('job', 5, { outcome: 'failure' }), run('job', 10, { outcome: 'failure' })],
      controls: { storeTime: NOW, pauses: [pause], triggers: [] },
      history: true,
    });
    assert.equal(paused.jobs[0]?.status, 'paused');
    assert.equal(paused.jobs[0]?.overdue, false);
    assert.deepEqual(paused.jobs[0]?.paused, {
      pattern: 'j*',
      reason: 'incident',
      by: 'ana',
      at: new Date(NOW - MIN),
      until: new Date(NOW + MIN),
    });
    assert.equal(paused.status, 'ok', 'a paused job does not make the fleet degraded');
    const forever = fleetHealth({
      now: NOW,
      replicas: [replica('web-1', true, [entry('job')])],
      runs: [],
      controls: { storeTime: NOW, pauses: [{ ...pause, until: null }], triggers: [] },
      history: true,
    });
    assert.equal(forever.jobs[0]?.paused?.until, null);
    assert.equal(health([]).jobs[0]?.paused, null);
  });

  it('builds the next runs from the catalog: cron with timezone and dayMatch, intervals with anchor, one-off dates', () => {
    const next = (e: ReplicaRecord['catalog'][number]) =>
      health([], [replica('web-1', true, [e])]).jobs[0]?.nextRuns.map((d) => d.toISOString());
    assert.deepEqual(next({ ...entry('job', '0 9 * * *'), timezone: 'Europe/Paris' })?.[0], '2026-03-03T08:00:00.000Z');
    // 2026-03-13 is a Friday the 13th; without dayMatch: 'and', any Friday or any 13th.
    assert.equal(next(entry('job', '0 0 13 * 5'))?.[0], '2026-03-06T00:00:00.000Z');
    assert.equal(next({ ...entry('job', '0 0 13 * 5'), dayMatch: 'and' })?.[0], '2026-03-13T00:00:00.000Z');
    const interval = { ...entry('job', '300000'), kind: 'every' as const };
    assert.deepEqual(next(interval), [
      '2026-03-02T12:05:00.000Z',
      '2026-03-02T12:10:00.000Z',
      '2026-03-02T12:15:00.000Z',
    ]);
    assert.equal(next({ ...interval, anchorMs: NOW + 1000 })?.[0], '2026-03-02T12:00:01.000Z');
    assert.equal(next({ ...interval, schedule: '5m' })?.[0], '2026-03-02T12:05:00.000Z');
    assert.deepEqual(next({ ...entry('job', '2026-03-02T13:00:00Z'), kind: 'at' }), ['2026-03-02T13:00:00.000Z']);
  });

  it('the newest run is the one that ended last; the last success is when the newest success ended', () => {
    const long = run('job', 20, { durationMs: 15 * MIN, outcome: 'timeout' });
    const job = health([run('job', 30), long, run('job', 10, { outcome: 'failure' })]).jobs[0];
    assert.equal(job?.lastRun?.outcome, 'timeout', 'started at 11:40, ended at 11:55, after the 11:50 run');
    assert.equal(job?.lastRun?.endedAt.getTime(), NOW - 5 * MIN + 10);
    assert.equal(job?.lastSuccess?.getTime(), NOW - 30 * MIN + 110);
    assert.equal(job?.failureStreak, 2, 'any outcome but success is a failure');
    assert.equal(job?.failures, 2);
    assert.equal(job?.runs, 3);
    assert.equal(health([run('job', 5, { outcome: 'cancelled' })]).jobs[0]?.lastSuccess, null);
  });

  it('a run’s view carries its version and error only when it has them', () => {
    const failed = run('job', 5, { outcome: 'failure', version: '1.2', error: { type: 'Error', message: 'boom' } });
    const view = health([failed]).jobs[0]?.lastRun;
    assert.deepEqual(view, {
      outcome: 'failure',
      tick: new Date(NOW - 5 * MIN),
      startedAt: new Date(NOW - 5 * MIN + 10),
      endedAt: new Date(NOW - 5 * MIN + 110),
      durationMs: 100,
      lateMs: 10,
      instanceId: 'web-1',
      trigger: 'schedule',
      attempts: 1,
      version: '1.2',
      error: { type: 'Error', message: 'boom' },
    });
    const plain = health([run('job', 5)]).jobs[0]?.lastRun;
    assert.deepEqual(
      ['version', 'error'].filter((key) => plain && key in plain),
      [],
    );
  });

  it('the fleet takes the worst job status; paused jobs do not count; a dead fleet is degraded', () => {
    const failing = Array.from({ length: 3 }, (_, i) => run('a', 5 * (i + 1), { outcome: 'failure' }));
    const both = [replica('web-1', true, [entry('a'), entry('b')])];
    assert.equal(health([...failing, run('b', 1, { outcome: 'failure' })], both).status, 'failing');
    assert.equal(health([run('a', 1), run('b', 1, { outcome: 'failure' })], both).status, 'degraded');
    assert.equal(health([run('a', 1, { outcome: 'failure' }), run('b', 1)], both).status, 'degraded');
    assert.equal(health([run('a', 1), run('b', 1)], both).status, 'ok');
    assert.equal(health([run('job', 1)], [replica('web-1', false)]).status, 'degraded', 'no replica alive');
  });

  it('describes each replica, its version only when it has one, and when the answer was computed', () => {
    const fleet = health([], [{ ...replica('web-1'), version: '2.0', clockOffsetMs: -12 }, replica('web-2', false)]);
    assert.equal(fleet.scope, 'fleet');
    assert.equal(fleet.history, true);
    assert.equal(fleet.checkedAt.getTime(), NOW);
    assert.deepEqual(fleet.replicas[0], {
      instanceId: 'web-1',
      host: 'h',
      pid: 1,
      version: '2.0',
      startedAt: new Date(NOW - 60 * MIN),
      lastSeen: new Date(NOW),
      alive: true,
      jobs: 0,
      clockOffsetMs: -12,
    });
    assert.equal(fleet.replicas[1]?.alive, false);
    assert.equal(fleet.status, 'ok', 'one live replica is enough');
    assert.equal(fleet.replicas[1] && 'version' in fleet.replicas[1], false);
  });

  it('figures per version: newest first by its first run, failure rate and p50/p95, unversioned runs left out', () => {
    const of = (version: string | undefined, minutesAgo: number, outcome: RunRecord['outcome'] = 'success') =>
      run('job', minutesAgo, { ...(version && { version }), outcome, durationMs: minutesAgo });
    // 1.0 ran first, then 1.1, then 1.0 again (a rollback): 1.1 is still the newer version.
    const runs = [
      of('1.0', 60),
      of('1.1', 40, 'failure'),
      of('1.1', 30),
      of('1.1', 20),
      of('1.0', 5),
      of(undefined, 1),
    ];
    const job = health(runs).jobs[0];
    assert.deepEqual(job?.byVersion, [
      { version: '1.1', runs: 3, failures: 1, failureRate: 1 / 3, durationMs: { p50: 30, p95: 40 } },
      { version: '1.0', runs: 2, failures: 0, failureRate: 0, durationMs: { p50: 5, p95: 60 } },
    ]);
    assert.equal(job?.runs, 6);
    assert.deepEqual(job?.durationMs, { p50: 20, p95: 60 });
    assert.deepEqual(job?.lateMs, { p50: 10, p95: 10 });
    assert.equal(health([]).jobs[0]?.durationMs, null, 'no runs, no figures');
  });

  it('a regression at exactly 10 points of failure rate, or exactly 1.5x and 100 ms of p95; both are reported', () => {
    const versions = (before: RunRecord[], now: RunRecord[]) => health([...now, ...before]).jobs[0]?.regression;
    const batch = (version: string, from: number, count: number, failures: number, durationMs = 100) =>
      Array.from({ length: count }, (_, i) =>
        run('job', from - i, { version, durationMs, outcome: i < failures ? 'failure' : 'success' }),
      );
    assert.deepEqual(versions(batch('1.0', 50, 10, 0), batch('1.1', 30, 10, 1)), {
      version: '1.1',
      previous: '1.0',
      failureRate: { now: 0.1, before: 0 },
    });
    assert.equal(versions(batch('1.0', 50, 10, 1), batch('1.1', 30, 10, 1)), null, 'as many failures');
    assert.equal(versions(batch('1.0', 50, 10, 2), batch('1.1', 30, 10, 1)), null, 'fewer failures');
    assert.deepEqual(versions(batch('1.0', 50, 3, 0, 200), batch('1.1', 30, 3, 0, 300)), {
      version: '1.1',
      previous: '1.0',
      p95DurationMs: { now: 300, before: 200 },
    });
    assert.equal(versions(batch('1.0', 50, 3, 0, 1000), batch('1.1', 30, 3, 0, 1100)), null, '100 ms but 1.1x');
    assert.equal(versions(batch('1.0', 50, 3, 0, 201), batch('1.1', 30, 3, 0, 301)), null, 'just under 1.5x');
    assert.deepEqual(versions(batch('1.0', 50, 3, 0, 100), batch('1.1', 30, 3, 3, 400)), {
      version: '1.1',
      previous: '1.0',
      failureRate: { now: 1, before: 0 },
      p95DurationMs: { now: 400, before: 100 },
    });
    assert.equal(versions(batch('1.0', 50, 2, 0), batch('1.1', 30, 3, 3)), null, 'two runs of the older version');
    assert.equal(versions([], batch('1.1', 30, 3, 3)), null, 'one version: nothing to compare');
    const regressed = health([...batch('1.1', 30, 3, 0, 400), ...batch('1.0', 50, 3, 0)]).jobs[0];
    assert.equal(regressed?.status, 'degraded', 'a regression makes the job degraded');
  });

  it('the failing threshold is an option', () => {
    const failed = [run('job', 5, { outcome: 'failure' }), run('job', 10, { outcome: 'failure' })];
    const input = { now: NOW, replicas: [replica('web-1', true, [entry('job')])], runs: failed, ...rest };
    assert.equal(fleetHealth(input, { failingAfter: 2 }).jobs[0]?.status, 'failing');
    assert.equal(fleetHealth(input, { failingAfter: 3 }).jobs[0]?.status, 'degraded');
  });
});
