// Moving jobs off toad-scheduler: they run on Tickwise and never again under toad-scheduler.

import assert from 'node:assert/strict';
import { MemoryStore } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import { addToadJob, fromToadScheduler, ToadJobError } from '@tickwise/toad-scheduler';
import { CronJob, JobStatus, LongIntervalJob, SimpleIntervalJob, Task, ToadScheduler } from 'toad-scheduler';
import { iso, tickwise, withToadTime } from './helpers.js';

const START = '2026-03-02T10:00:00.000Z';

describe('fromToadScheduler', () => {
  it('moves every job; they no longer run under toad-scheduler, and run on Tickwise', async () => {
    await withToadTime(START, async (time) => {
      const underToad: string[] = [];
      const onTickwise: string[] = [];
      let moved = false;
      const record = (name: string) => () => (moved ? onTickwise : underToad).push(name);
      const toad = new ToadScheduler();
      toad.addSimpleIntervalJob(
        new SimpleIntervalJob({ minutes: 1 }, new Task('a', record('interval')), { id: 'interval' }),
      );
      toad.addCronJob(
        new CronJob({ cronExpression: '* * * * *', timezone: 'UTC' }, new Task('b', record('cron')), { id: 'cron' }),
      );
      await time.advance(60_000);
      assert.deepEqual(underToad.sort(), ['cron', 'interval']);

      const clock = new VirtualClock(time.now());
      const { scheduler } = tickwise(START, { clock });
      const infos = fromToadScheduler(toad, scheduler);
      moved = true;
      assert.deepEqual(
        infos.map((info) => `${info.name} ${info.schedule}`),
        ['interval 1m', 'cron * * * * *'],
      );
      assert.deepEqual(toad.getAllJobs(), []);
      await time.advance(5 * 60_000);
      assert.deepEqual(underToad.sort(), ['cron', 'interval'], 'nothing more ran under toad-scheduler');
      await scheduler.start();
      await clock.advance('2m');
      assert.deepEqual(onTickwise.sort(), ['cron', 'cron', 'interval', 'interval']);
      await scheduler.stop();
    });
  });

  it('a moved job cannot start under toad-scheduler again, nor move twice', () => {
    const toad = new ToadScheduler();
    const job = new SimpleIntervalJob({ hours: 1 }, new Task('t', () => {}), { id: 'j' });
    toad.addSimpleIntervalJob(job);
    const { scheduler } = tickwise(START);
    fromToadScheduler(toad, scheduler);
    assert.equal(job.getStatus(), JobStatus.STOPPED);
    assert.throws(() => job.start(), { name: 'ToadJobError', code: 'JOB_MOVED', message: /Job 'j'/ });
    assert.throws(() => toad.startById('j'), /Job with an id j is not registered/);
    const other = tickwise(START).scheduler;
    assert.throws(() => addToadJob(other, job), { code: 'JOB_MOVED' });
  });

  it('a job stopped under toad-scheduler moves paused', async () => {
    const toad = new ToadScheduler();
    let runs = 0;
    toad.addSimpleIntervalJob(new SimpleIntervalJob({ minutes: 1 }, new Task('t', () => runs++), { id: 'j' }));
    toad.stopById('j');
    const { clock, scheduler } = tickwise(START);
    fromToadScheduler(toad, scheduler);
    assert.equal(scheduler.jobs()[0]?.paused, true);
    await scheduler.start();
    await clock.advance('2m');
    assert.equal(runs, 0);
    scheduler.resume('j');
    await clock.advance('1m');
    assert.equal(runs, 1);
    await scheduler.stop();
  });

  it('a job removed with removeById stays behind', () => {
    const toad = new ToadScheduler();
    toad.addSimpleIntervalJob(new SimpleIntervalJob({ hours: 1 }, new Task('t', () => {}), { id: 'gone' }));
    toad.addSimpleIntervalJob(new SimpleIntervalJob({ hours: 1 }, new Task('t', () => {}), { id: 'kept' }));
    toad.removeById('gone');
    const { scheduler } = tickwise(START);
    assert.deepEqual(
      fromToadScheduler(toad, scheduler).map((info) => info.name),
      ['kept'],
    );
  });

  it("applies defaults and per-job options (a job's own win)", () => {
    const toad = new ToadScheduler();
    toad.addSimpleIntervalJob(new SimpleIntervalJob({ hours: 1 }, new Task('t', () => {}), { id: 'a' }));
    toad.addSimpleIntervalJob(new SimpleIntervalJob({ hours: 1 }, new Task('t', () => {}), { id: 'b' }));
    const { scheduler } = tickwise(START);
    fromToadScheduler(toad, scheduler, {
      defaults: { owner: 'platform', runbook: 'Safe to rerun' },
      jobs: { b: { owner: 'billing', name: 'billing.sync', description: 'Syncs invoices' } },
    });
    assert.deepEqual(
      scheduler.jobs().map(({ name, owner, description, runbook }) => ({ name, owner, description, runbook })),
      [
        { name: 'a', owner: 'platform', description: undefined, runbook: 'Safe to rerun' },
        { name: 'billing.sync', owner: 'billing', description: 'Syncs invoices', runbook: 'Safe to rerun' },
      ],
    );
  });

  it('options for an id the ToadScheduler does not have: UNKNOWN_JOB, nothing moves', () => {
    const toad = new ToadScheduler();
    toad.addSimpleIntervalJob(new SimpleIntervalJob({ hours: 1 }, new Task('t', () => {}), { id: 'sync' }));
    const { scheduler } = tickwise(START);
    assert.throws(() => fromToadScheduler(toad, scheduler, { jobs: { snyc: { owner: 'x' } } }), {
      name: 'ToadJobError',
      code: 'UNKNOWN_JOB',
      job: 'snyc',
    });
    assert.deepEqual(scheduler.jobs(), []);
    assert.equal(toad.getById('sync').getStatus(), JobStatus.RUNNING);
    toad.stop();
  });

  it('a job without an id: MISSING_JOB_ID naming its task, and nothing moves (the others keep running under toad)', () => {
    const toad = new ToadScheduler();
    toad.addSimpleIntervalJob(new SimpleIntervalJob({ hours: 1 }, new Task('t', () => {}), { id: 'ok' }));
    toad.addCronJob(new CronJob({ cronExpression: '0 * * * *' }, new Task('cleanup', () => {})));
    const { scheduler } = tickwise(START);
    assert.throws(
      () => fromToadScheduler(toad, scheduler),
      (error: unknown) =>
        error instanceof ToadJobError &&
        error.code === 'MISSING_JOB_ID' &&
        error.job === "(CronJob without an id, task 'cleanup')",
    );
    assert.deepEqual(scheduler.jobs(), []);
    assert.equal(toad.getById('ok').getStatus(), JobStatus.RUNNING);
    toad.stop();
  });
});

describe('addToadJob', () => {
  it('stops a job that runs under toad-scheduler', async () => {
    await withToadTime(START, async (time) => {
      const runs: string[] = [];
      const toad = new ToadScheduler();
      const job = new SimpleIntervalJob({ minutes: 1 }, new Task('t', () => runs.push(iso(time.now()))), { id: 'j' });
      toad.addSimpleIntervalJob(job);
      await time.advance(60_000);
      addToadJob(tickwise(START).scheduler, job);
      await time.advance(5 * 60_000);
      assert.deepEqual(runs, ['2026-03-02T10:01:00.000Z']);
      assert.throws(() => toad.startById('j'), { code: 'JOB_MOVED' });
    });
  });

  it("stops a LongIntervalJob's timer chain, which toad-scheduler starts in its constructor", () => {
    const job = new LongIntervalJob({ days: 40 }, new Task('t', () => {}), { id: 'long' });
    assert.equal(job.getStatus(), JobStatus.RUNNING);
    addToadJob(tickwise(START).scheduler, job);
    assert.equal(job.getStatus(), JobStatus.STOPPED);
  });

  it('takes Tickwise options: retry, timeout, lease, owner, description, runbook', () => {
    const { scheduler } = tickwise(START);
    const info = addToadJob(
      scheduler,
      new CronJob({ cronExpression: '0 3 * * *', timezone: 'UTC' }, new Task('t', () => {}), { id: 'nightly' }),
      {
        retry: 3,
        timeout: '10m',
        lease: '2m',
        owner: 'data-team',
        description: 'Nightly export',
        runbook: 'docs/export.md',
      },
    );
    assert.deepEqual(
      {
        name: info.name,
        schedule: info.schedule,
        owner: info.owner,
        description: info.description,
        runbook: info.runbook,
      },
      {
        name: 'nightly',
        schedule: '0 3 * * *',
        owner: 'data-team',
        description: 'Nightly export',
        runbook: 'docs/export.md',
      },
    );
  });
});

describe('replicas', () => {
  it('two replicas sharing a MemoryStore run each tick once', async () => {
    const clock = new VirtualClock(START);
    const store = new MemoryStore({ now: () => clock.now() });
    const ran: string[] = [];
    const schedulers = [];
    for (const id of ['a', 'b']) {
      const { scheduler } = tickwise(START, { clock, store, id });
      const toad = new ToadScheduler();
      let moved = false;
      toad.addSimpleIntervalJob(
        new SimpleIntervalJob({ minutes: 5 }, new Task('t', () => moved && ran.push(`interval ${iso(clock.now())}`)), {
          id: 'interval',
        }),
      );
      toad.addCronJob(
        new CronJob(
          { cronExpression: '*/10 * * * *', timezone: 'UTC' },
          new Task('t', () => moved && ran.push(`cron ${iso(clock.now())}`)),
          {
            id: 'cron',
          },
        ),
      );
      fromToadScheduler(toad, scheduler);
      moved = true;
      await scheduler.start();
      schedulers.push(scheduler);
    }
    await clock.advance('20m');
    for (const scheduler of schedulers) await scheduler.stop();
    assert.deepEqual(ran.sort(), [
      'cron 2026-03-02T10:10:00.000Z',
      'cron 2026-03-02T10:20:00.000Z',
      'interval 2026-03-02T10:05:00.000Z',
      'interval 2026-03-02T10:10:00.000Z',
      'interval 2026-03-02T10:15:00.000Z',
      'interval 2026-03-02T10:20:00.000Z',
    ]);
  });
});
