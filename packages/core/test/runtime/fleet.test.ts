import assert from 'node:assert/strict';
import {
  cron,
  every,
  Fleet,
  type JobControlEvent,
  MemoryStore,
  type RunContext,
  Scheduler,
  TickwiseError,
} from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';

const hhmmss = (d: Date) => d.toISOString().slice(11, 19);

/** Replicas sharing one MemoryStore on one virtual clock; each records the runs it started. */
function replicas(ids: string[], options: { version?: (id: string) => string; fail?: (id: string) => boolean } = {}) {
  const clock = new VirtualClock('2026-03-02T09:00:00.000Z');
  const store = new MemoryStore({ now: () => clock.now() });
  const runs: string[] = [];
  const make = (id: string) => {
    const scheduler = new Scheduler({
      store,
      clock,
      env: {},
      instanceId: id,
      logger: false,
      ...(options.version && { serviceVersion: options.version(id) }),
    });
    scheduler.add({
      name: 'export',
      schedule: every('1m'),
      owner: 'data-team',
      runbook: 'https://runbooks.example/export',
      run: async (ctx: RunContext) => {
        runs.push(`${id} ${ctx.trigger} ${hhmmss(ctx.scheduledAt)}`);
        if (options.fail?.(id)) throw new Error(`export failed on ${id}: password=hunter2`);
      },
    });
    scheduler.add({ name: 'report.daily', schedule: cron('0 6 * * *'), run: () => {} });
    return scheduler;
  };
  const schedulers = ids.map(make);
  return { clock, store, runs, schedulers, make, fleet: new Fleet(store) };
}

describe('fleet view: history and heartbeats in the store', () => {
  it('keeps every replica’s runs of a job, newest first, with replica, trigger, outcome and duration', async () => {
    const f = replicas(['web-1', 'web-2', 'web-3']);
    await Promise.all(f.schedulers.map((s) => s.start()));
    await f.clock.advance('5m');
    const runs = await f.fleet.runs('export');
    assert.equal(runs.length, 5, 'one run per tick, whoever ran it');
    assert.deepEqual(
      runs.map((run) => hhmmss(run.tick)),
      ['09:05:00', '09:04:00', '09:03:00', '09:02:00', '09:01:00'],
    );
    for (const run of runs) {
      assert.equal(run.outcome, 'success');
      assert.equal(run.trigger, 'schedule');
      assert.equal(run.attempts, 1);
      assert.ok(['web-1', 'web-2', 'web-3'].includes(run.instanceId));
    }
    assert.equal(f.runs.length, 5, 'and each tick ran once');
    await Promise.all(f.schedulers.map((s) => s.stop()));
  });

  it('fleet health from any replica is the union: every replica, each job’s last outcome and figures', async () => {
    const f = replicas(['web-1', 'web-2'], { fail: () => true });
    const [a, b] = f.schedulers as [Scheduler, Scheduler];
    b.add({ name: 'only-on-web-2', schedule: every('5m'), run: () => {} });
    await Promise.all(f.schedulers.map((s) => s.start()));
    await f.clock.advance('10m');
    const fromA = await a.health({ scope: 'fleet' });
    const fromB = await b.health({ scope: 'fleet' });
    assert.deepEqual(fromA, fromB, 'the same answer from either replica');
    assert.deepEqual(
      fromA.replicas.map((r) => `${r.instanceId} ${r.alive} ${r.jobs}`),
      ['web-1 true 2', 'web-2 true 3'],
    );
    const job = fromA.jobs.find((j) => j.name === 'export');
    assert.ok(job);
    assert.equal(job.runs, 10);
    assert.equal(job.owner, 'data-team');
    assert.equal(job.runbook, 'https://runbooks.example/export');
    assert.deepEqual(job.replicas, ['web-1', 'web-2']);
    assert.equal(job.failures, 10);
    assert.equal(job.failureStreak, 10);
    const onlyOnB = fromA.jobs.find((j) => j.name === 'only-on-web-2');
    assert.deepEqual(onlyOnB?.replicas, ['web-2'], 'web-1 answers for a job only web-2 has');
    assert.equal(onlyOnB?.runs, 2);
    assert.equal(onlyOnB?.lastRun?.instanceId, 'web-2');
    assert.ok(job.durationMs && job.lateMs, 'p50/p95 of duration and lateness');
    assert.equal(hhmmss(job.nextRuns[0] as Date), '09:11:00');
    const last = (await f.fleet.runs('export'))[0];
    assert.equal(job.lastRun?.instanceId, last?.instanceId);
    const failure = (await f.fleet.runs('export')).find((run) => run.outcome === 'failure');
    assert.equal(failure?.error?.type, 'Error');
    assert.match(failure?.error?.message ?? '', /password=\*\*\*|password=\[/, 'the message is redacted');
    assert.doesNotMatch(failure?.error?.message ?? '', /hunter2/);
    await Promise.all(f.schedulers.map((s) => s.stop()));
  });

  it('a replica that stopped is listed as not alive; a failure streak across replicas makes the job failing', async () => {
    const f = replicas(['web-1', 'web-2'], { fail: () => true });
    await Promise.all(f.schedulers.map((s) => s.start()));
    await f.clock.advance('3m');
    await (f.schedulers[1] as Scheduler).stop();
    const health = await f.fleet.status();
    assert.deepEqual(
      health.replicas.map((r) => `${r.instanceId} ${r.alive}`),
      ['web-1 true', 'web-2 false'],
    );
    const job = health.jobs.find((j) => j.name === 'export');
    assert.equal(job?.failureStreak, 3);
    assert.equal(job?.status, 'failing');
    assert.equal(health.status, 'failing');
    await (f.schedulers[0] as Scheduler).stop();
  });

  it('flags a newer service version whose failure rate is worse than the one before', async () => {
    const f = replicas(['v1-a'], { version: () => '1.4.0' });
    await (f.schedulers[0] as Scheduler).start();
    await f.clock.advance('5m');
    await (f.schedulers[0] as Scheduler).stop();
    const next = new Scheduler({
      store: f.store,
      clock: f.clock,
      env: {},
      instanceId: 'v2-a',
      logger: false,
      serviceVersion: '1.5.0',
    });
    next.add({ name: 'export', schedule: every('1m'), run: () => Promise.reject(new Error('bad deploy')) });
    await next.start();
    await f.clock.advance('5m');
    const job = (await f.fleet.status()).jobs.find((j) => j.name === 'export');
    assert.deepEqual(
      job?.byVersion.map((v) => `${v.version} ${v.runs} ${v.failures}`),
      ['1.5.0 5 5', '1.4.0 5 0'],
    );
    assert.deepEqual(job?.regression, { version: '1.5.0', previous: '1.4.0', failureRate: { now: 1, before: 0 } });
    await next.stop();
  });

  it('does not flag a newer version that does as well', async () => {
    const f = replicas(['v1-a'], { version: () => '1.4.0' });
    await (f.schedulers[0] as Scheduler).start();
    await f.clock.advance('5m');
    await (f.schedulers[0] as Scheduler).stop();
    const next = f.make('v2-a');
    const upgraded = new Scheduler({
      store: f.store,
      clock: f.clock,
      env: {},
      instanceId: 'v2-b',
      logger: false,
      serviceVersion: '1.5.0',
    });
    upgraded.add({ name: 'export', schedule: every('1m'), run: () => {} });
    void next;
    await upgraded.start();
    await f.clock.advance('5m');
    const job = (await f.fleet.status()).jobs.find((j) => j.name === 'export');
    assert.equal(job?.regression, null);
    assert.equal(job?.status, 'ok');
    await upgraded.stop();
  });

  it('sends the catalog again when jobs are added, and forgets a replica an hour after its last beat', async () => {
    const f = replicas(['web-1', 'web-2']);
    const [a, b] = f.schedulers as [Scheduler, Scheduler];
    await Promise.all([a.start(), b.start()]);
    a.add({ name: 'added.later', schedule: every('1h'), owner: 'late-team', run: () => {} });
    await f.clock.advance('6s');
    const added = (await f.fleet.status()).jobs.find((j) => j.name === 'added.later');
    assert.deepEqual(added?.replicas, ['web-1'], 'the next beat carried the new catalog');
    assert.equal(added?.owner, 'late-team');
    await b.stop();
    await f.clock.advance('59m');
    assert.deepEqual(
      (await f.fleet.status()).replicas.map((r) => `${r.instanceId} ${r.alive}`),
      ['web-1 true', 'web-2 false'],
    );
    await f.clock.advance('2m');
    assert.deepEqual(
      (await f.fleet.status()).replicas.map((r) => r.instanceId),
      ['web-1'],
    );
    await a.stop();
  });

  it('counts a job overdue when no replica ran it for two ticks', async () => {
    const f = replicas(['web-1']);
    const [a] = f.schedulers as [Scheduler];
    await a.start();
    await f.clock.advance('2m');
    // The job stays registered (in the catalog) but its handler never returns: no run ends.
    a.pause('export');
    await f.clock.advance('4m');
    const job = (await f.fleet.status({ graceMs: 1000 })).jobs.find((j) => j.name === 'export');
    assert.equal(job?.overdue, true, 'locally paused, so nothing ran since 09:02');
    assert.equal(job?.status, 'degraded');
    await a.stop();
  });

  it('a replica’s first beat already says when it started, so a fresh replica’s jobs are not overdue', async () => {
    const f = replicas(['web-1']);
    await (f.schedulers[0] as Scheduler).start();
    const [replica] = await f.store.listReplicas();
    assert.equal(replica?.startedAt, Date.parse('2026-03-02T09:00:00.000Z'));
    assert.equal((await f.fleet.status()).jobs.find((j) => j.name === 'export')?.overdue, false);
    await (f.schedulers[0] as Scheduler).stop();
  });

  it('the catalog a replica sends lists its first 1,000 jobs; the count says how many it has', async () => {
    const clock = new VirtualClock('2026-03-02T09:00:00.000Z');
    const store = new MemoryStore({ now: () => clock.now() });
    const scheduler = new Scheduler({ store, clock, env: {}, logger: false });
    for (let i = 0; i < 1005; i++) scheduler.add({ name: `job-${i}`, schedule: cron('0 3 * * *'), run: () => {} });
    await scheduler.start();
    const [replica] = await store.listReplicas();
    assert.equal(replica?.jobs, 1005);
    assert.equal(replica?.catalog.length, 1000);
    assert.equal(replica?.catalog[999]?.name, 'job-999');
    await scheduler.stop();
  });

  it('a store built with history: false keeps no runs, and says so', async () => {
    const clock = new VirtualClock('2026-03-02T09:00:00.000Z');
    const store = new MemoryStore({ now: () => clock.now(), history: false });
    const scheduler = new Scheduler({ store, clock, env: {}, logger: false });
    scheduler.add({ name: 'export', schedule: every('1m'), run: () => {} });
    await scheduler.start();
    await clock.advance('3m');
    const health = await scheduler.health({ scope: 'fleet' });
    assert.equal(health.history, false);
    assert.deepEqual(await store.listRuns(), []);
    assert.equal(health.jobs[0]?.runs, 0);
    await scheduler.stop();
  });

  it('keeps at most history.maxRuns per job', async () => {
    const clock = new VirtualClock('2026-03-02T09:00:00.000Z');
    const store = new MemoryStore({ now: () => clock.now(), history: { maxRuns: 3 } });
    const scheduler = new Scheduler({ store, clock, env: {}, logger: false });
    scheduler.add({ name: 'export', schedule: every('1m'), run: () => {} });
    await scheduler.start();
    await clock.advance('6m');
    assert.deepEqual(
      (await store.listRuns({ job: 'export' })).map((run) => hhmmss(new Date(run.tick))),
      ['09:06:00', '09:05:00', '09:04:00'],
    );
    await scheduler.stop();
  });

  it('fleet: false sends nothing to the fleet state and has no fleet view', async () => {
    const clock = new VirtualClock('2026-03-02T09:00:00.000Z');
    const store = new MemoryStore({ now: () => clock.now() });
    const scheduler = new Scheduler({ store, clock, env: {}, logger: false, fleet: false });
    scheduler.add({ name: 'export', schedule: every('1m'), run: () => {} });
    await scheduler.start();
    await clock.advance('3m');
    assert.equal(scheduler.fleet, null);
    await assert.rejects(scheduler.health({ scope: 'fleet' }), { code: 'FLEET_UNSUPPORTED' });
    assert.deepEqual(await store.listRuns(), []);
    assert.deepEqual(await store.listReplicas(), []);
    await new Fleet(store).pause('export', { reason: 'elsewhere' });
    await clock.advance('1m');
    assert.equal(scheduler.jobs()[0]?.paused, false, 'fleet pauses do not reach it');
    await scheduler.stop();
  });
});

describe('fleet controls: pause, resume, trigger', () => {
  it('a pause stops the job on every replica within a second, with reason and who; resume brings it back', async () => {
    const f = replicas(['web-1', 'web-2', 'web-3']);
    const events: string[] = [];
    for (const s of f.schedulers) {
      s.on('job:paused', (e: JobControlEvent) =>
        events.push(`${e.instanceId} paused ${e.job.name} by ${e.pause?.by}: ${e.pause?.reason}`),
      );
      s.on('job:resumed', (e: JobControlEvent) => events.push(`${e.instanceId} resumed ${e.job.name}`));
    }
    await Promise.all(f.schedulers.map((s) => s.start()));
    await f.clock.advance('59s');
    await f.fleet.pause('exp*', { reason: 'bad upstream data', by: 'ana' });
    await f.clock.advance('1s');
    assert.equal(events.filter((e) => e.includes(' paused export by ana: bad upstream data')).length, 3);
    const before = f.runs.length;
    await f.clock.advance('5m');
    assert.equal(f.runs.length, before, 'no replica ran the job while paused');
    const status = await f.fleet.status();
    assert.equal(status.jobs.find((j) => j.name === 'export')?.status, 'paused');
    assert.equal(status.jobs.find((j) => j.name === 'export')?.overdue, false, 'a paused job is not overdue');
    for (const s of f.schedulers) assert.equal(s.jobs().find((j) => j.name === 'export')?.paused, true);
    assert.equal(await f.fleet.resume('exp*'), true);
    await f.clock.advance('1s');
    assert.equal(events.filter((e) => e.endsWith('resumed export')).length, 3);
    await f.clock.advance('1m');
    assert.equal(f.runs.length, before + 1, 'the next tick runs once');
    await Promise.all(f.schedulers.map((s) => s.stop()));
  });

  it('on a MemoryStore a pause reaches the schedulers at once; a run in progress is not stopped', async () => {
    const clock = new VirtualClock('2026-03-02T09:00:00.000Z');
    const store = new MemoryStore({ now: () => clock.now() });
    const scheduler = new Scheduler({ store, clock, env: {}, logger: false });
    const ended: string[] = [];
    scheduler.add({
      name: 'long',
      schedule: every('1m'),
      run: async (ctx: RunContext) => {
        await new Promise<void>((resolve) => clock.setTimer(resolve, 30_000));
        ended.push(`${hhmmss(ctx.scheduledAt)} ${ctx.signal.aborted ? 'aborted' : 'finished'}`);
      },
    });
    await scheduler.start();
    await clock.advance('1m10s');
    await new Fleet(store).pause('long', { reason: 'stop new runs' });
    await clock.advance(0);
    assert.equal(scheduler.jobs()[0]?.paused, true, 'no wait for a poll');
    await clock.advance('30s');
    assert.deepEqual(ended, ['09:01:00 finished']);
    assert.deepEqual(
      (await store.listRuns({ job: 'long' })).map((run) => run.outcome),
      ['success'],
    );
    await scheduler.stop();
  });

  it('each replica runs the trigger requests of the jobs it has, and skips the others', async () => {
    const clock = new VirtualClock('2026-03-02T09:00:00.000Z');
    const store = new MemoryStore({ now: () => clock.now() });
    const ran: string[] = [];
    const make = (id: string, job: string) => {
      const scheduler = new Scheduler({ store, clock, env: {}, instanceId: id, logger: false });
      scheduler.add({ name: job, schedule: cron('0 3 1 1 *'), run: () => void ran.push(`${id} ${job}`) });
      return scheduler;
    };
    const a = make('web-1', 'only-on-a');
    const b = make('web-2', 'only-on-b');
    await Promise.all([a.start(), b.start()]);
    const fleet = new Fleet(store);
    // web-1 sees both requests in one read: the one for a job it does not have comes first.
    await fleet.trigger('only-on-b');
    await fleet.trigger('only-on-a');
    await clock.advance('1s');
    assert.deepEqual(ran.sort(), ['web-1 only-on-a', 'web-2 only-on-b']);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('a trigger no replica has the job for is dropped after 10 minutes', async () => {
    const f = replicas(['web-1']);
    await (f.schedulers[0] as Scheduler).start();
    await f.fleet.trigger('not-here');
    assert.equal((await f.store.readControls()).triggers.length, 1);
    await f.clock.advance('10m');
    assert.deepEqual((await f.store.readControls()).triggers, []);
    await (f.schedulers[0] as Scheduler).stop();
  });

  it('a pause with --until ends by itself', async () => {
    const f = replicas(['web-1']);
    await (f.schedulers[0] as Scheduler).start();
    await f.clock.advance('30s');
    // Until 09:10:30.
    await f.fleet.pause('export', { reason: 'maintenance', by: 'ops', for: '10m' });
    await f.clock.advance('9m');
    assert.equal(f.runs.length, 0);
    await f.clock.advance('2m');
    assert.deepEqual(f.runs, ['web-1 schedule 09:11:00'], 'runs again once the pause is over');
    await (f.schedulers[0] as Scheduler).stop();
  });

  it('a pause holds for a replica that starts after it: no tick runs before the controls are read', async () => {
    const f = replicas([]);
    await f.fleet.pause('export', { reason: 'incident 42', by: 'ops' });
    const late = f.make('web-9');
    await late.start();
    await f.clock.advance('3m');
    assert.deepEqual(f.runs, []);
    assert.equal(late.jobs().find((j) => j.name === 'export')?.paused, true);
    await late.stop();
  });

  it('a trigger runs the job once, on one replica, and the history says so', async () => {
    const f = replicas(['web-1', 'web-2', 'web-3']);
    await Promise.all(f.schedulers.map((s) => s.start()));
    await f.clock.advance('10s');
    const request = await f.fleet.trigger('report.daily', { by: 'ana' });
    await f.clock.advance('2s');
    const runs = await f.fleet.runs('report.daily');
    assert.equal(runs.length, 1, 'one run across three replicas');
    assert.equal(runs[0]?.trigger, 'fleet');
    assert.equal(runs[0]?.tick.getTime(), request.at);
    await f.clock.advance('30s');
    assert.equal((await f.fleet.runs('report.daily')).length, 1, 'and only once, whatever the polls see later');
    await Promise.all(f.schedulers.map((s) => s.stop()));
  });

  it('two triggers one after the other run twice; one that comes while the job runs follows its overlap policy', async () => {
    const f = replicas(['web-1', 'web-2']);
    await Promise.all(f.schedulers.map((s) => s.start()));
    await f.fleet.trigger('report.daily');
    await f.clock.advance('2s');
    await f.fleet.trigger('report.daily');
    await f.clock.advance('2s');
    assert.equal((await f.fleet.runs('report.daily')).length, 2);
    await Promise.all(f.schedulers.map((s) => s.stop()));

    // A trigger while the job's triggered run is still going: skipped (overlap: skip) on every replica.
    const clock = new VirtualClock('2026-03-02T09:00:00.000Z');
    const store = new MemoryStore({ now: () => clock.now() });
    const started: string[] = [];
    const skipped: string[] = [];
    const slow = ['web-1', 'web-2'].map((id) => {
      const scheduler = new Scheduler({ store, clock, env: {}, instanceId: id, logger: false });
      scheduler.add({
        name: 'rebuild-index',
        schedule: cron('0 3 1 1 *'),
        run: () =>
          new Promise<void>((resolve) => {
            started.push(id);
            clock.setTimer(resolve, 60_000);
          }),
      });
      scheduler.on('tick:skipped', (e) => skipped.push(`${id} ${e.reason}`));
      return scheduler;
    });
    await Promise.all(slow.map((s) => s.start()));
    const fleet = new Fleet(store);
    await fleet.trigger('rebuild-index');
    await clock.advance('1s');
    await fleet.trigger('rebuild-index');
    await clock.advance('1s');
    assert.equal(started.length, 1);
    assert.deepEqual(
      skipped.filter((line) => line.endsWith('overlap')).sort(),
      ['web-1 overlap', 'web-2 overlap'],
      'the replica running it refuses it itself; the store refuses it to the other',
    );
    await clock.advance('1m');
    await Promise.all(slow.map((s) => s.stop()));
    await Promise.all(f.schedulers.map((s) => s.stop()));
  });

  it('refuses bad control input with a clear error', async () => {
    const f = replicas([]);
    await assert.rejects(f.fleet.pause('export', { reason: ' ' }), /needs a reason/);
    await assert.rejects(f.fleet.pause('export', { reason: 'x', for: 'soon' }), /not a duration such as '2h'/);
    await assert.rejects(f.fleet.trigger('exp*'), /one job name, not a pattern/);
    await assert.rejects(f.fleet.runs(''), /1 to 1024 bytes/);
    assert.throws(
      () => new Fleet({ ...f.store, listRuns: undefined } as never),
      (error: unknown) => {
        assert.ok(error instanceof TickwiseError);
        assert.equal(error.code, 'FLEET_UNSUPPORTED');
        return true;
      },
    );
  });

  it('a changed pause is announced again with what changed; reading the same pause again is not', async () => {
    const f = replicas(['web-1']);
    const [a] = f.schedulers as [Scheduler];
    const events: string[] = [];
    a.on('job:paused', (e: JobControlEvent) => {
      const until = e.pause?.until ? ` until ${hhmmss(e.pause.until)}` : '';
      if (e.job.name === 'export') events.push(`${e.pause?.pattern} ${e.pause?.reason} by ${e.pause?.by}${until}`);
    });
    await a.start();
    // All at one store instant: only the named field differs from the pause before.
    await f.fleet.pause('exp*', { reason: 'incident', by: 'ana' });
    await f.fleet.pause('export', { reason: 'incident', by: 'ana' });
    await f.clock.advance(0);
    await f.fleet.resume('exp*');
    await f.clock.advance(0);
    await f.fleet.pause('export', { reason: 'incident 2', by: 'ana' });
    await f.clock.advance(0);
    await f.fleet.pause('export', { reason: 'incident 2', by: 'bo' });
    await f.clock.advance(0);
    await f.fleet.trigger('not-here');
    await f.clock.advance(0);
    assert.deepEqual(events, [
      'exp* incident by ana',
      'export incident by ana',
      'export incident 2 by ana',
      'export incident 2 by bo',
    ]);
    await f.fleet.pause('export', { reason: 'incident 2', by: 'bo', for: '1h' });
    await f.clock.advance('1s');
    await f.fleet.pause('export', { reason: 'incident 2', by: 'bo', for: '1h' });
    await f.clock.advance(0);
    assert.deepEqual(events.slice(4), [
      'export incident 2 by bo until 10:00:00',
      'export incident 2 by bo until 10:00:01',
    ]);
    await f.fleet.pause('export', { reason: 'incident 2', by: 'bo' });
    await f.clock.advance('1s');
    await f.fleet.pause('export', { reason: 'incident 2', by: 'bo' });
    await f.clock.advance(0);
    assert.deepEqual(
      events.slice(6),
      ['export incident 2 by bo', 'export incident 2 by bo'],
      'without its end, then the same pause made again a second later',
    );
    await a.stop();
  });

  it('each pause ends at its own time, to the millisecond, on a store that announces its changes', async () => {
    const f = replicas(['web-1']);
    const [a] = f.schedulers as [Scheduler];
    const resumed: string[] = [];
    a.on('job:resumed', (e: JobControlEvent) =>
      resumed.push(`${e.job.name} ${new Date(f.clock.now()).toISOString().slice(11, 23)} ${e.pause}`),
    );
    await a.start();
    await f.fleet.pause('report.daily', { reason: 'r', for: '10m' });
    await f.fleet.pause('export', { reason: 'r', for: '2m' });
    await f.fleet.pause('other', { reason: 'r', for: '1m' });
    await f.fleet.resume('other');
    await f.clock.advance('2m');
    assert.deepEqual(resumed, ['export 09:02:00.000 null']);
    await f.clock.advance('8m');
    assert.deepEqual(resumed, ['export 09:02:00.000 null', 'report.daily 09:10:00.000 null']);
    await a.stop();
  });

  it('on a store that does not announce changes, the controls are read every controlPollMs', async () => {
    const clock = new VirtualClock('2026-03-02T09:00:00.000Z');
    const { store, down } = unannouncedStore(clock);
    const logs = logLines();
    const scheduler = new Scheduler({ store, clock, env: {}, logger: logs.logger, fleet: { controlPollMs: 1000 } });
    scheduler.add({ name: 'export', schedule: every('1m'), run: () => {} });
    down.now = new Error('connection refused');
    await scheduler.start();
    const warnings = () => logs.lines.filter(([level]) => level === 'warn');
    assert.equal(warnings().length, 1, 'a store down at start-up is warned about');
    down.now = null;
    const paused = () => scheduler.jobs()[0]?.paused;
    await new Fleet(store).pause('export', { reason: 'bad data', by: 'ana', for: '1h' });
    await clock.advance(999);
    assert.equal(paused(), false, 'not read yet');
    await clock.advance(1);
    assert.equal(paused(), true);
    assert.deepEqual(logs.lines.at(-1), [
      'info',
      'tickwise: job paused for the fleet',
      {
        job: 'export',
        pattern: 'export',
        by: 'ana',
        reason: 'bad data',
        until: Date.parse('2026-03-02T10:00:00.000Z'),
      },
    ]);
    await clock.advance(3000);
    const pausedLines = logs.lines.filter(([, message]) => message === 'tickwise: job paused for the fleet');
    assert.equal(pausedLines.length, 1, 'each read returns the same pause (a copy): announced once');

    // The store fails: the pause holds, and one warning says so, however many reads fail.
    down.now = new Error('connection refused');
    await new Fleet(store).resume('export');
    await clock.advance('5s');
    assert.equal(paused(), true, 'a store that does not answer leaves the jobs as they were');
    assert.equal(warnings().length, 2);
    assert.match(String(warnings()[1]?.[2].err), /connection refused/, 'the store’s error');
    assert.match(warnings()[0]?.[1] as string, /could not read the fleet controls/);

    // It answers again: the resume is read; then it hangs: a second warning, after the 2 s wait.
    down.now = null;
    await clock.advance(1000);
    assert.equal(paused(), false);
    assert.deepEqual(logs.lines.at(-1), ['info', 'tickwise: job resumed for the fleet', { job: 'export' }]);
    down.now = 'hang';
    await clock.advance(1000 + 1999);
    assert.equal(warnings().length, 2);
    await clock.advance(1);
    assert.match(String(warnings()[2]?.[2].err), /no answer in time/);

    // Stopped while a read hangs: when that read gives up, no other read follows.
    await clock.advance(1000);
    await scheduler.stop();
    down.now = null;
    await new Fleet(store).pause('export', { reason: 'after stop' });
    await clock.advance('10s');
    assert.equal(paused(), false);
  });
});

/**
 * A MemoryStore that does not announce its changes (like a store without watchControls), returns new
 * objects on every read (like a remote store), and can fail or hang.
 */
function unannouncedStore(clock: VirtualClock) {
  const store = new MemoryStore({ now: () => clock.now() });
  const down: { now: Error | 'hang' | null } = { now: null };
  const read = store.readControls.bind(store);
  Object.assign(store, {
    watchControls: undefined,
    readControls: () =>
      down.now === null
        ? read().then((controls) => structuredClone(controls))
        : down.now === 'hang'
          ? new Promise(() => {})
          : Promise.reject(down.now),
  });
  return { store, down };
}

function logLines() {
  const lines: [string, string, Record<string, unknown>][] = [];
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push([level, message, fields]);
    };
  return { lines, logger: { debug: () => {}, info: at('info'), warn: at('warn'), error: at('error') } };
}
