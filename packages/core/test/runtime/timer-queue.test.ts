import assert from 'node:assert/strict';
import { cron, every } from '@tickwise/core';
import { harness, job } from '../helpers/harness.js';

describe('timer queue', () => {
  it('uses one timer for the whole scheduler, however many jobs (and one for the heartbeat)', async () => {
    const { clock, scheduler } = harness();
    for (let i = 0; i < 500; i++) scheduler.add(job({ name: `job-${i}`, schedule: every(`${(i % 50) + 1}m`) }));
    await scheduler.start();
    assert.equal(clock.pendingTimers, 2);
    await clock.advance('2h');
    assert.equal(clock.pendingTimers, 2);
    await scheduler.stop();
    assert.equal(clock.pendingTimers, 0);
  });

  it('never fires early, and fires each tick of a cron job exactly once', async () => {
    const { clock, scheduler } = harness();
    const starts: [number, number][] = [];
    scheduler.add(
      job({
        schedule: cron('*/7 * * * * *'),
        run: (ctx) => {
          starts.push([ctx.scheduledAt.getTime(), clock.now()]);
        },
      }),
    );
    await scheduler.start();
    await clock.advance('10m');
    const expected = cron('*/7 * * * * *').nextRuns(starts.length + 1, new Date('2026-01-05T00:00:00Z'));
    assert.equal(starts.length, 90); // 9 ticks a minute (0, 7, … 56) for 10 minutes
    assert.deepEqual(
      starts.map(([tick]) => tick),
      expected.slice(0, starts.length).map((d) => d.getTime()),
    );
    for (const [tick, started] of starts) assert.ok(started >= tick, 'started before its tick');
  });

  it('waits past 2^31-1 ms without firing early (every 30 days)', async () => {
    const { clock, scheduler, lines } = harness();
    scheduler.add(job({ name: 'monthly', schedule: every('30d') }));
    await scheduler.start();
    const [first] = scheduler.jobs();
    const due = first?.nextRun?.getTime() as number;
    await clock.runUntil(due - 1);
    assert.deepEqual(lines(), []);
    await clock.runUntil(due);
    assert.deepEqual(lines((e) => e.type === 'run:success').length, 1);
    await clock.advance('30d');
    assert.deepEqual(lines((e) => e.type === 'run:success').length, 2);
  });

  it('a burst of jobs due on the same tick all start, in order, none dropped', async () => {
    const { clock, scheduler, events } = harness();
    const started: string[] = [];
    for (let i = 0; i < 2000; i++) {
      scheduler.add(
        job({ name: `burst-${i}`, schedule: cron('0 * * * *'), run: (ctx) => void started.push(ctx.job.name) }),
      );
    }
    await scheduler.start();
    await clock.advance('1h');
    assert.equal(started.length, 2000);
    assert.deepEqual(started.slice(0, 3), ['burst-0', 'burst-1', 'burst-2']);
    assert.equal(events.filter((e) => e.type === 'tick:skipped').length, 0);
  });

  it('a wall clock set back does not re-run a tick; set forward, the missed ticks follow the catch-up policy', async () => {
    const { clock, scheduler, lines } = harness();
    scheduler.add(job({ name: 'hourly', schedule: cron('0 * * * *') }));
    await scheduler.start();
    await clock.advance('1h'); // 01:00 runs
    clock.jump('30m', 'back'); // wall clock 00:30 again
    await clock.advance('40m'); // wall 01:10: the 01:00 tick must not run again
    assert.deepEqual(
      lines((e) => e.type === 'run:success'),
      ['run:success hourly 01:00:00'],
    );
    clock.jump('3h'); // wall 04:10; the queue notices within a minute
    await clock.advance('1m');
    assert.deepEqual(
      lines((e) => e.type !== 'run:start'),
      ['run:success hourly 01:00:00', 'tick:skipped hourly 02:00:00 missed x3'],
    );
    await clock.advance('50m');
    assert.deepEqual(lines((e) => e.type === 'run:success').at(-1), 'run:success hourly 05:00:00');
  });

  it('runs DST days by the schedule model: fall-back in New York', async () => {
    const { clock, scheduler, lines } = harness({}, '2026-10-31T12:00:00Z');
    scheduler.add(job({ name: 'fixed', schedule: cron('30 1 * * *', { timezone: 'America/New_York' }) }));
    scheduler.add(job({ name: 'hourly', schedule: cron('0 1,2 * * *', { timezone: 'America/New_York' }) }));
    scheduler.add(job({ name: 'wild', schedule: cron('0 * * * *', { timezone: 'America/New_York' }) }));
    await scheduler.start();
    await clock.runUntil('2026-11-01T08:00:00Z');
    const runs = lines((e) => e.type === 'run:success' && e.job.name !== 'wild');
    assert.deepEqual(runs, [
      'run:success hourly 05:00:00',
      'run:success fixed 05:30:00',
      'run:success hourly 07:00:00',
    ]);
    const wild = lines((e) => e.type === 'run:success' && e.job.name === 'wild').filter((l) => /0[4-7]:00/.test(l));
    assert.deepEqual(wild, [
      'run:success wild 04:00:00',
      'run:success wild 05:00:00',
      'run:success wild 06:00:00',
      'run:success wild 07:00:00',
    ]);
  });
});
