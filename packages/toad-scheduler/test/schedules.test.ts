// Each kind of toad job fires at the same instants on Tickwise as under toad-scheduler itself:
// toad-scheduler runs for real under fake timers, Tickwise on a VirtualClock.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { addToadJob } from '@tickwise/toad-scheduler';
import {
  CronJob,
  LongIntervalJob,
  SimpleIntervalJob,
  type SimpleIntervalSchedule,
  Task,
  ToadScheduler,
} from 'toad-scheduler';
import { cronScheduleFor } from '../src/cron-schedule.js';
import { intervalSchedule } from '../src/interval-schedule.js';
import { iso, tickwise, withToadTime } from './helpers.js';

const cronerOfToad = createRequire(createRequire(import.meta.url).resolve('toad-scheduler'))('croner') as {
  Cron: new (pattern: string, options?: { timezone?: string }) => { nextRuns(count: number, from?: Date): Date[] };
};

type Kind = 'simple' | 'long' | 'cron';

function makeJob(
  kind: Kind,
  schedule: SimpleIntervalSchedule | { cronExpression: string; timezone?: string },
  fired: () => void,
) {
  const task = new Task('record', fired);
  if (kind === 'cron') return new CronJob(schedule as { cronExpression: string }, task, { id: 'job' });
  if (kind === 'long') return new LongIntervalJob(schedule as SimpleIntervalSchedule, task, { id: 'job' });
  return new SimpleIntervalJob(schedule as SimpleIntervalSchedule, task, { id: 'job' });
}

/** When toad-scheduler fires the job over `forMs` from `start`. */
async function underToad(
  kind: Kind,
  schedule: Parameters<typeof makeJob>[1],
  start: string,
  forMs: number,
  stepMs = 1000,
) {
  return withToadTime(start, async (time) => {
    const fires: string[] = [];
    const toad = new ToadScheduler();
    const job = makeJob(kind, schedule, () => fires.push(iso(time.now())));
    if (kind === 'cron') toad.addCronJob(job as CronJob);
    else toad.addIntervalJob(job as SimpleIntervalJob);
    await time.advance(forMs, stepMs);
    toad.stop();
    return fires;
  });
}

/** When Tickwise fires the same job over `forMs` from `start`. */
async function onTickwise(
  kind: Kind,
  schedule: Parameters<typeof makeJob>[1],
  start: string,
  forMs: number,
  anchor?: Date,
) {
  const { clock, scheduler } = tickwise(start);
  const fires: string[] = [];
  addToadJob(
    scheduler,
    makeJob(kind, schedule, () => fires.push(iso(clock.now()))),
    anchor ? { anchor } : {},
  );
  await scheduler.start();
  await clock.advance(forMs);
  await scheduler.stop();
  return fires;
}

describe('schedules: each job kind fires when toad-scheduler fires it', () => {
  it('SimpleIntervalJob: with anchor at the start instant, the same instants as toad-scheduler', async () => {
    const start = '2026-03-02T10:00:07.000Z';
    const schedule = { hours: 1, minutes: 2, seconds: 3 };
    const toad = await underToad('simple', schedule, start, 6 * 3_600_000);
    const ours = await onTickwise('simple', schedule, start, 6 * 3_600_000, new Date(start));
    assert.equal(toad.length, 5);
    assert.deepEqual(ours, toad);
  });

  it('SimpleIntervalJob: milliseconds and days add up as in toad-scheduler', async () => {
    const start = '2026-03-02T10:00:00.000Z';
    const schedule = { days: 0, seconds: 1, milliseconds: 500 };
    const toad = await underToad('simple', schedule, start, 9000, 500);
    const ours = await onTickwise('simple', schedule, start, 9000, new Date(start));
    assert.equal(toad.length, 6);
    assert.deepEqual(ours, toad);
  });

  it('SimpleIntervalJob: by default ticks at multiples of the interval since the Unix epoch, on every replica alike', async () => {
    const start = '2026-03-02T10:02:07.000Z';
    const ours = await onTickwise('simple', { minutes: 5 }, start, 16 * 60_000);
    // toad-scheduler would fire at 10:07:07, 10:12:07, 10:17:07: the same spacing, another phase.
    assert.deepEqual(ours, ['2026-03-02T10:05:00.000Z', '2026-03-02T10:10:00.000Z', '2026-03-02T10:15:00.000Z']);
  });

  it('LongIntervalJob past the setInterval limit (30 days): every 30 days from the anchor', async () => {
    // toad-scheduler chains timers of at most 24.85 days to reach each 30-day mark; Node's fake
    // timers cannot drive that chain, so the instants are written out here.
    const start = '2026-01-01T00:00:00.000Z';
    const job = new LongIntervalJob({ days: 30 }, new Task('t', () => {}), { id: 'job' });
    const { scheduler } = tickwise(start);
    const info = addToadJob(scheduler, job, { anchor: new Date(start) });
    assert.equal(info.schedule, '30d');
    const schedule = intervalSchedule({ days: 30 }, 'job', new Date(start));
    assert.deepEqual(schedule.nextRuns(3, new Date(start)).map(iso), [
      '2026-01-31T00:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
      '2026-04-01T00:00:00.000Z',
    ]);
    assert.equal(iso(scheduler.jobs()[0]?.nextRun ?? 0), '2026-01-31T00:00:00.000Z');
  });

  it('LongIntervalJob under the limit: the same instants as toad-scheduler', async () => {
    const start = '2026-01-01T00:00:00.000Z';
    const toad = await underToad('long', { hours: 6 }, start, 86_400_000, 60_000);
    const ours = await onTickwise('long', { hours: 6 }, start, 86_400_000, new Date(start));
    assert.equal(toad.length, 4);
    assert.deepEqual(ours, toad);
  });

  it('CronJob with a time zone: the same instants as toad-scheduler', async () => {
    const start = '2026-03-02T10:00:07.000Z';
    const schedule = { cronExpression: '*/20 9-12 * * 1-5', timezone: 'Europe/Berlin' };
    const toad = await underToad('cron', schedule, start, 3 * 3_600_000);
    const ours = await onTickwise('cron', schedule, start, 3 * 3_600_000);
    assert.equal(toad.length, 5);
    assert.deepEqual(ours, toad);
  });

  it('CronJob with seconds: the same instants as toad-scheduler', async () => {
    const start = '2026-03-02T10:00:00.000Z';
    const schedule = { cronExpression: '*/15 * * * * *' };
    const toad = await underToad('cron', schedule, start, 120_000);
    const ours = await onTickwise('cron', schedule, start, 120_000);
    assert.equal(toad.length, 8);
    assert.deepEqual(ours, toad);
  });

  it("CronJob without a time zone: read in the process's zone, as croner does", async () => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const { scheduler } = tickwise('2026-03-02T00:00:00Z');
    const info = addToadJob(
      scheduler,
      new CronJob({ cronExpression: '0 9 * * *' }, new Task('t', () => {}), { id: 'nine' }),
    );
    assert.equal(info.timezone, zone);
    const from = new Date('2026-03-02T00:00:00Z');
    const croner = new cronerOfToad.Cron('0 9 * * *').nextRuns(5, from).map(iso);
    const ours = scheduler.jobs()[0]?.nextRun;
    assert.equal(ours && iso(ours), croner[0]);
    const toad = await underToad('cron', { cronExpression: '0 9 * * *' }, iso(from), 3 * 86_400_000, 60_000);
    assert.deepEqual(toad, croner.slice(0, 3));
    const runs = await onTickwise('cron', { cronExpression: '0 9 * * *' }, iso(from), 3 * 86_400_000);
    assert.deepEqual(runs, toad);
  });

  describe("cron expressions: Tickwise's next runs equal toad-scheduler's croner's", () => {
    const cases: [string, string | undefined][] = [
      ['* * * * *', undefined],
      ['*/5 * * * *', 'UTC'],
      ['0 9 * * 1-5', 'Europe/Berlin'],
      ['30 6 1,15 * *', 'America/New_York'],
      ['0 0 L * *', 'Asia/Tokyo'],
      ['0 12 * * 5L', 'UTC'],
      ['0 8 * * 1#2', 'Australia/Sydney'],
      ['0 0 15W * *', 'UTC'],
      ['0 0 LW * *', 'UTC'],
      ['0 0 13 * 5', 'UTC'],
      ['0 0 1-31/2 * 1', 'UTC'],
      ['0 0 ? * *', 'UTC'],
      ['0 0 29 2 *', 'UTC'],
      ['15,45 */2 * JAN-MAR SUN', 'UTC'],
      ['@daily', 'Europe/London'],
      ['@weekly', 'UTC'],
      ['*/30 * * * * *', 'UTC'],
    ];
    for (const [expression, timezone] of cases) {
      it(`${expression}${timezone ? ` (${timezone})` : ''}`, () => {
        const { scheduler } = tickwise('2026-01-01T00:00:00Z');
        const toadSchedule = timezone ? { cronExpression: expression, timezone } : { cronExpression: expression };
        addToadJob(scheduler, new CronJob(toadSchedule, new Task('t', () => {}), { id: 'j' }));
        const from = new Date('2026-01-01T00:00:00Z');
        const theirs = new cronerOfToad.Cron(expression, timezone ? { timezone } : {}).nextRuns(40, from).map(iso);
        const first = scheduler.jobs()[0]?.nextRun;
        assert.equal(first && iso(first), theirs[0]);
        const ours = cronScheduleFor(toadSchedule, 'j').nextRuns(40, from).map(iso);
        assert.equal(theirs.length, 40);
        assert.deepEqual(ours, theirs);
      });
    }
  });

  it("DST: on a fall-back day an hourly job runs in both passes of the repeated hour on Tickwise, once under toad-scheduler's croner", async () => {
    const start = '2026-10-24T22:00:00.000Z';
    const schedule = { cronExpression: '0 * * * *', timezone: 'Europe/Berlin' };
    const toad = await underToad('cron', schedule, start, 5 * 3_600_000, 60_000);
    const ours = await onTickwise('cron', schedule, start, 5 * 3_600_000);
    // 02:00 CEST is 00:00Z; 02:00 CET (the repeated hour) is 01:00Z.
    assert.deepEqual(toad, [
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
    ]);
    assert.deepEqual(ours, [
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
    ]);
  });
});
