// preventOverrun: toad-scheduler skips a tick while the task is still executing; without it, runs
// overlap. On Tickwise that is overlap 'skip' and 'allow', compared with toad-scheduler's own runs.

import assert from 'node:assert/strict';
import { addToadJob } from '@tickwise/toad-scheduler';
import { AsyncTask, CronJob, type Job, SimpleIntervalJob, ToadScheduler } from 'toad-scheduler';
import { iso, tickwise, withToadTime } from './helpers.js';

const START = '2026-03-02T10:00:00.000Z';

type Make = (sleep: (ms: number) => Promise<void>, started: () => void) => Job;

/** A 5-minute interval (or cron) job whose task takes 12 minutes. */
const slowInterval =
  (preventOverrun?: boolean): Make =>
  (sleep, started) =>
    new SimpleIntervalJob(
      { minutes: 5 },
      new AsyncTask('slow', async () => {
        started();
        await sleep(12 * 60_000);
      }),
      preventOverrun === undefined ? { id: 'slow' } : { id: 'slow', preventOverrun },
    );

const slowCron =
  (preventOverrun?: boolean): Make =>
  (sleep, started) =>
    new CronJob(
      { cronExpression: '*/5 * * * *', timezone: 'UTC' },
      new AsyncTask('slow', async () => {
        started();
        await sleep(12 * 60_000);
      }),
      preventOverrun === undefined ? { id: 'slow' } : { id: 'slow', preventOverrun },
    );

async function startsUnderToad(make: Make): Promise<string[]> {
  return withToadTime(START, async (time) => {
    const starts: string[] = [];
    const toad = new ToadScheduler();
    const job = make(time.sleep, () => starts.push(iso(time.now())));
    if (job instanceof CronJob) toad.addCronJob(job);
    else toad.addIntervalJob(job as SimpleIntervalJob);
    await time.advance(30 * 60_000);
    toad.stop();
    return starts;
  });
}

async function startsOnTickwise(make: Make, overlap?: 'buffer-one'): Promise<{ starts: string[]; skips: number }> {
  const { clock, scheduler, sleep } = tickwise(START);
  const starts: string[] = [];
  let skips = 0;
  scheduler.on('tick:skipped', (event) => {
    if (event.reason === 'overlap') skips++;
  });
  const job = make(sleep, () => starts.push(iso(clock.now())));
  addToadJob(scheduler, job, {
    ...(!(job instanceof CronJob) && { anchor: new Date(START) }),
    ...(overlap && { overlap }),
  });
  await scheduler.start();
  await clock.advance('30m');
  // Tasks still sleeping on the clock finish while it stops.
  const stopped = scheduler.stop();
  await clock.advance('15m');
  await stopped;
  return { starts, skips };
}

describe('preventOverrun', () => {
  it("interval jobs (preventOverrun on by default) skip ticks while the task runs, as toad-scheduler does: overlap 'skip'", async () => {
    const toad = await startsUnderToad(slowInterval());
    const ours = await startsOnTickwise(slowInterval());
    assert.deepEqual(toad, ['2026-03-02T10:05:00.000Z', '2026-03-02T10:20:00.000Z']);
    assert.deepEqual(ours.starts, toad);
    assert.equal(ours.skips, 4);
  });

  it("preventOverrun: false lets runs overlap, as toad-scheduler does: overlap 'allow'", async () => {
    const toad = await startsUnderToad(slowInterval(false));
    const ours = await startsOnTickwise(slowInterval(false));
    assert.equal(toad.length, 6);
    assert.deepEqual(ours.starts, toad);
    assert.equal(ours.skips, 0);
  });

  it("cron jobs (preventOverrun off by default) overlap, as toad-scheduler's do", async () => {
    const toad = await startsUnderToad(slowCron());
    const ours = await startsOnTickwise(slowCron());
    assert.equal(toad.length, 6);
    assert.deepEqual(ours.starts, toad);
  });

  it('cron jobs with preventOverrun: true skip, as toad-scheduler does', async () => {
    const toad = await startsUnderToad(slowCron(true));
    const ours = await startsOnTickwise(slowCron(true));
    assert.deepEqual(toad, ['2026-03-02T10:05:00.000Z', '2026-03-02T10:20:00.000Z']);
    assert.deepEqual(ours.starts, toad);
  });

  it("an overlap option replaces the mapping: 'buffer-one' runs the skipped tick right after", async () => {
    const ours = await startsOnTickwise(slowInterval(), 'buffer-one');
    assert.deepEqual(ours.starts, ['2026-03-02T10:05:00.000Z', '2026-03-02T10:17:00.000Z', '2026-03-02T10:29:00.000Z']);
  });
});
