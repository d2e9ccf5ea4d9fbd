import assert from 'node:assert/strict';
import { cron } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import type { JobState } from '../../../src/runtime/job-state.js';
import { TickQueue } from '../../../src/runtime/tick-queue.js';
import { hms, jobState, lifecycle, T0 } from './fixtures.js';

const MINUTE = 60_000;

/** A queue on a virtual clock whose due jobs are recorded as `name hh:mm:ss`; each due job's next tick is a minute later. */
function setup(position = { rank: 0, count: 1 }, jobCount = () => 3) {
  const clock = new VirtualClock(T0);
  const life = lifecycle('running');
  const fired: string[] = [];
  const queue = new TickQueue(
    clock,
    life,
    () => position,
    jobCount,
    (job: JobState, now) => {
      fired.push(`${job.info.name} ${hms(now)}`);
      return job.nextTick + MINUTE;
    },
  );
  queue.start();
  return { clock, queue, fired, life };
}

describe('tick queue', () => {
  it('fires each job at its tick, and queues the tick the due step returns', async () => {
    const { clock, queue, fired } = setup();
    queue.queueFirst(jobState({ name: 'a', schedule: cron('* * * * *') }), T0);
    await clock.advance('3m');
    assert.deepEqual(fired, ['a 00:01:00', 'a 00:02:00', 'a 00:03:00']);
  });

  it('jobs due at the same instant fire in registration order', async () => {
    const { clock, queue, fired } = setup();
    for (const [name, order] of [
      ['c', 2],
      ['a', 0],
      ['b', 1],
    ] as const) {
      queue.queueFirst(jobState({ name, schedule: cron('* * * * *') }, order), T0);
    }
    await clock.advance('1m');
    assert.deepEqual(fired, ['a 00:01:00', 'b 00:01:00', 'c 00:01:00']);
  });

  it('with several replicas, each starts its share of the way through the list (replica 1 of 3 at the second third)', async () => {
    const { clock, queue, fired } = setup({ rank: 1, count: 3 }, () => 6);
    for (let order = 0; order < 6; order++) {
      queue.queueFirst(jobState({ name: `j${order}`, schedule: cron('* * * * *') }, order), T0);
    }
    await clock.advance('1m');
    assert.deepEqual(
      fired.map((line) => line.split(' ')[0]),
      ['j2', 'j3', 'j4', 'j5', 'j0', 'j1'],
    );
  });

  it('adds the job’s jitter to its due time, never firing before the tick', async () => {
    const { clock, queue } = setup();
    const job = jobState({ name: 'jittered', schedule: cron('* * * * *'), jitter: '30s' });
    queue.queueFirst(job, T0);
    assert.equal(job.nextTick, T0 + MINUTE);
    assert.ok(job.entry && job.entry.dueMs >= T0 + MINUTE && job.entry.dueMs <= T0 + MINUTE + 30_000);
    await clock.advance('2m');
  });

  it('a burst is handed on a slice of 100 at a time, yielding (clock.defer) between slices', async () => {
    const clock = new VirtualClock(T0);
    let handed = 0;
    /** How many jobs had been handed on when each deferred slice began. */
    const sliceStarts: number[] = [];
    const deferring = {
      now: () => clock.now(),
      setTimer: (callback: () => void, ms: number) => clock.setTimer(callback, ms),
      defer: (callback: () => void) =>
        clock.defer(() => {
          sliceStarts.push(handed);
          callback();
        }),
    };
    const queue = new TickQueue(
      deferring,
      lifecycle('running'),
      () => ({ rank: 0, count: 1 }),
      () => 250,
      () => {
        handed++;
        return Number.NaN;
      },
    );
    queue.start();
    for (let order = 0; order < 250; order++) {
      queue.queueFirst(jobState({ name: `j${order}`, schedule: cron('* * * * *') }, order), T0);
    }
    await clock.advance('1m');
    assert.deepEqual(sliceStarts, [100, 200]);
    assert.equal(handed, 250);
  });

  it('queues nothing while the scheduler is not running, and nothing fires after it stopped', async () => {
    const { clock, queue, fired, life } = setup();
    life.state = 'idle';
    const idle = jobState({ name: 'idle', schedule: cron('* * * * *') });
    queue.queueFirst(idle, T0);
    assert.equal(idle.entry, null);
    assert.equal(idle.nextTick, T0 + MINUTE, 'the next tick is known all the same');
    life.state = 'running';
    queue.queueFirst(idle, T0);
    life.state = 'stopping';
    await clock.advance('2m');
    assert.deepEqual(fired, []);
  });

  it('unqueue() takes a removed job out: its tick never fires, and it has no next tick', async () => {
    const { clock, queue, fired } = setup();
    const job = jobState({ name: 'gone', schedule: cron('* * * * *') });
    queue.queueFirst(job, T0);
    queue.unqueue(job);
    await clock.advance('2m');
    assert.deepEqual(fired, []);
    assert.ok(Number.isNaN(job.nextTick));
    assert.equal(queue.nextRun(job), null);
  });

  it('nextRun(): before start() the next tick from now, afterwards the queued one', () => {
    const { queue, life } = setup();
    life.state = 'idle';
    const job = jobState({ name: 'j', schedule: cron('*/5 * * * *') });
    assert.equal(queue.nextRun(job)?.getTime(), T0 + 5 * MINUTE);
    life.state = 'running';
    queue.set(job, T0 + 10 * MINUTE);
    assert.equal(queue.nextRun(job)?.getTime(), T0 + 10 * MINUTE);
  });

  it('clear() (stop) drops every queued tick and leaves no timer', async () => {
    const { clock, queue, fired } = setup();
    const job = jobState({ name: 'j', schedule: cron('* * * * *') });
    queue.queueFirst(job, T0);
    queue.clear([job]);
    assert.equal(job.entry, null);
    assert.equal(clock.pendingTimers, 0);
    await clock.advance('2m');
    assert.deepEqual(fired, []);
  });
});
