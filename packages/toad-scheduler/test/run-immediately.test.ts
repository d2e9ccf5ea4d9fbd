// runImmediately: toad-scheduler runs the task when the job starts; on Tickwise it runs once the
// scheduler has started (a manual run), then on the interval.

import assert from 'node:assert/strict';
import { MemoryStore } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import { addToadJob, fromToadScheduler } from '@tickwise/toad-scheduler';
import { CronJob, SimpleIntervalJob, Task, ToadScheduler } from 'toad-scheduler';
import { flush, iso, tickwise, withToadTime } from './helpers.js';

const START = '2026-03-02T10:00:00.000Z';

describe('runImmediately', () => {
  it('runs at the start instant, then on the interval: the same instants as toad-scheduler', async () => {
    const toad = await withToadTime(START, async (time) => {
      const fires: string[] = [];
      const toad = new ToadScheduler();
      toad.addSimpleIntervalJob(
        new SimpleIntervalJob({ minutes: 10, runImmediately: true }, new Task('t', () => fires.push(iso(time.now()))), {
          id: 'warm',
        }),
      );
      await time.advance(30 * 60_000);
      toad.stop();
      return fires;
    });
    const { clock, scheduler } = tickwise(START);
    const fires: string[] = [];
    const triggers: string[] = [];
    scheduler.on('run:start', (event) => triggers.push(event.trigger));
    addToadJob(
      scheduler,
      new SimpleIntervalJob({ minutes: 10, runImmediately: true }, new Task('t', () => fires.push(iso(clock.now()))), {
        id: 'warm',
      }),
      { anchor: new Date(START) },
    );
    await scheduler.start();
    await clock.advance('30m');
    await scheduler.stop();
    assert.deepEqual(toad, [START, '2026-03-02T10:10:00.000Z', '2026-03-02T10:20:00.000Z', '2026-03-02T10:30:00.000Z']);
    assert.deepEqual(fires, toad);
    assert.deepEqual(triggers, ['manual', 'schedule', 'schedule', 'schedule']);
  });

  it('does not run before the scheduler starts', async () => {
    const { clock, scheduler } = tickwise(START);
    let runs = 0;
    addToadJob(
      scheduler,
      new SimpleIntervalJob({ hours: 1, runImmediately: true }, new Task('t', () => runs++), { id: 'j' }),
    );
    await clock.advance('10m');
    assert.equal(runs, 0);
    await scheduler.start();
    await clock.advance(0);
    assert.equal(runs, 1);
    await scheduler.stop();
  });

  it('runs at once when the job is added to a scheduler that has already started', async () => {
    const { clock, scheduler } = tickwise(START);
    await scheduler.start();
    let runs = 0;
    addToadJob(
      scheduler,
      new SimpleIntervalJob({ hours: 1, runImmediately: true }, new Task('t', () => runs++), { id: 'j' }),
    );
    await clock.advance(0);
    await flush();
    assert.equal(runs, 1);
    await scheduler.stop();
  });

  it('{ runImmediately: false } turns it off; { runImmediately: true } turns it on, for cron jobs too', async () => {
    const { clock, scheduler } = tickwise(START);
    const runs: string[] = [];
    addToadJob(
      scheduler,
      new SimpleIntervalJob({ hours: 1, runImmediately: true }, new Task('t', () => runs.push('off')), { id: 'off' }),
      { runImmediately: false },
    );
    addToadJob(
      scheduler,
      new CronJob({ cronExpression: '0 0 * * *' }, new Task('t', () => runs.push('cron')), { id: 'on' }),
      {
        runImmediately: true,
      },
    );
    await scheduler.start();
    await clock.advance('1m');
    assert.deepEqual(runs, ['cron']);
    await scheduler.stop();
  });

  it('is a manual run, not claimed: with a shared store, it runs on every replica that starts', async () => {
    const clock = new VirtualClock(START);
    const store = new MemoryStore({ now: () => clock.now() });
    const runs: string[] = [];
    for (const id of ['a', 'b']) {
      const { scheduler } = tickwise(START, { clock, store, id });
      const toad = new ToadScheduler();
      let moved = false; // toad-scheduler runs it at addSimpleIntervalJob, before the move: not counted
      toad.addSimpleIntervalJob(
        new SimpleIntervalJob({ hours: 1, runImmediately: true }, new Task('t', () => moved && runs.push(id)), {
          id: 'warm',
        }),
      );
      fromToadScheduler(toad, scheduler);
      moved = true;
      await scheduler.start();
    }
    await clock.advance(0);
    assert.deepEqual(runs.sort(), ['a', 'b']);
  });
});
