// Jobs that cannot move fail at registration with a typed error naming the job, and change nothing.

import assert from 'node:assert/strict';
import { JobDefinitionError } from '@tickwise/core';
import { addToadJob, fromToadScheduler, ToadJobError, type ToadJobErrorCode } from '@tickwise/toad-scheduler';
import {
  CronJob,
  Job,
  JobStatus,
  SimpleIntervalJob,
  type SimpleIntervalSchedule,
  Task,
  ToadScheduler,
} from 'toad-scheduler';
import { tickwise } from './helpers.js';

const START = '2026-03-02T10:00:00.000Z';
const noop = () => {};

function cronJob(cronExpression: string, timezone?: string) {
  return new CronJob(timezone ? { cronExpression, timezone } : { cronExpression }, new Task('t', noop), {
    id: 'report',
  });
}

function rejects(code: ToadJobErrorCode, message: RegExp, make: () => unknown) {
  assert.throws(make, (error: unknown) => {
    assert.ok(error instanceof ToadJobError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('bad input', () => {
  describe('cron expressions Tickwise cannot read: UNSUPPORTED_SCHEDULE', () => {
    for (const expression of ['0 0 0 * * * 2026', '? ? * * *']) {
      it(expression, () => {
        const { scheduler } = tickwise(START);
        rejects('UNSUPPORTED_SCHEDULE', /^Job 'report': Tickwise cannot run this cron schedule/, () =>
          addToadJob(scheduler, cronJob(expression, 'UTC')),
        );
        assert.deepEqual(scheduler.jobs(), []);
      });
    }
  });

  describe('cron expressions Tickwise would read differently: SCHEDULE_MISMATCH', () => {
    for (const expression of ['0 0 */2 * 1', '0 0 ? * 1', '0 0 13 * ?', '* * * */2 * 1']) {
      it(expression, () => {
        const { scheduler } = tickwise(START);
        rejects('SCHEDULE_MISMATCH', /^Job 'report': toad-scheduler \(croner\) runs .* OR day-of-week/, () =>
          addToadJob(scheduler, cronJob(expression, 'UTC')),
        );
      });
    }

    it('the suggested rewrite (a range instead of */2) moves, and runs on the days croner runs it', () => {
      const { scheduler } = tickwise(START);
      assert.equal(addToadJob(scheduler, cronJob('0 0 1-31/2 * 1', 'UTC')).schedule, '0 0 1-31/2 * 1');
    });
  });

  it("cron expressions toad-scheduler's croner rejects: INVALID_SCHEDULE", () => {
    const { scheduler } = tickwise(START);
    rejects('INVALID_SCHEDULE', /^Job 'report': toad-scheduler would not start it either: .*numeric prefix/, () =>
      addToadJob(scheduler, cronJob('5/15 * * * *', 'UTC')),
    );
    rejects('INVALID_SCHEDULE', /toad-scheduler would not start it either/, () =>
      addToadJob(scheduler, cronJob('0 * * * *', 'Mars/Olympus_Mons')),
    );
  });

  describe('intervals Tickwise cannot run: UNSUPPORTED_SCHEDULE', () => {
    const cases: [string, SimpleIntervalSchedule][] = [
      ['zero', {}],
      ['negative', { seconds: -5 }],
      ['a fraction of a millisecond', { milliseconds: 1.5 }],
      ['not a number', { minutes: 'five' as unknown as number }],
    ];
    for (const [what, schedule] of cases) {
      it(what, () => {
        const { scheduler } = tickwise(START);
        rejects('UNSUPPORTED_SCHEDULE', /^Job 'tick': /, () =>
          addToadJob(scheduler, new SimpleIntervalJob(schedule, new Task('t', noop), { id: 'tick' })),
        );
      });
    }
  });

  it('a SimpleIntervalJob longer than setInterval allows (which toad-scheduler refuses) runs on Tickwise', () => {
    const job = new SimpleIntervalJob({ days: 40 }, new Task('t', noop), { id: 'rare' });
    assert.throws(() => new ToadScheduler().addSimpleIntervalJob(job), /no intervals longer than 24.85 days/);
    const { scheduler } = tickwise(START);
    assert.equal(
      addToadJob(scheduler, new SimpleIntervalJob({ days: 40 }, new Task('t', noop), { id: 'rare' })).schedule,
      '40d',
    );
  });

  it('a duplicate name: DUPLICATE_JOB, from addToadJob and from fromToadScheduler', () => {
    const { scheduler } = tickwise(START);
    scheduler.add({ name: 'sync', schedule: '0 * * * *', run: noop });
    const job = new SimpleIntervalJob({ hours: 1 }, new Task('t', noop), { id: 'sync' });
    rejects('DUPLICATE_JOB', /^Job 'sync': a job with this name is already registered/, () =>
      addToadJob(scheduler, job),
    );
    assert.doesNotThrow(() => job.start(), 'a job that did not move is left as it was');
    job.stop();
    const toad = new ToadScheduler();
    toad.addSimpleIntervalJob(new SimpleIntervalJob({ hours: 1 }, new Task('t', noop), { id: 'other' }));
    toad.addSimpleIntervalJob(new SimpleIntervalJob({ hours: 1 }, new Task('t', noop), { id: 'sync' }));
    rejects('DUPLICATE_JOB', /^Job 'sync'/, () => fromToadScheduler(toad, scheduler));
    assert.deepEqual(
      scheduler.jobs().map((j) => j.name),
      ['sync'],
      'nothing moved',
    );
    assert.equal(toad.getById('other').getStatus(), JobStatus.RUNNING);
    rejects('DUPLICATE_JOB', /^Job 'same'/, () =>
      fromToadScheduler(toad, scheduler, { jobs: { other: { name: 'same' }, sync: { name: 'same' } } }),
    );
    toad.stop();
  });

  it('a job without an id: MISSING_JOB_ID; { name } gives it one', () => {
    const { scheduler } = tickwise(START);
    const job = new SimpleIntervalJob({ hours: 1 }, new Task('warm-cache', noop));
    rejects('MISSING_JOB_ID', /^Job '\(SimpleIntervalJob without an id, task 'warm-cache'\)'/, () =>
      addToadJob(scheduler, job),
    );
    assert.equal(addToadJob(scheduler, job, { name: 'cache.warm' }).name, 'cache.warm');
  });

  it('a Job subclass of its own: UNSUPPORTED_JOB', () => {
    class Custom extends Job {
      constructor() {
        super('custom');
      }
      getStatus() {
        return JobStatus.STOPPED;
      }
      start() {}
      stop() {}
    }
    rejects('UNSUPPORTED_JOB', /^Job 'custom': only SimpleIntervalJob, LongIntervalJob and CronJob/, () =>
      addToadJob(tickwise(START).scheduler, new Custom()),
    );
  });

  it('options that do not apply to toad jobs: INVALID_OPTION; a bad Tickwise option: JobDefinitionError', () => {
    const { scheduler } = tickwise(START);
    const interval = () => new SimpleIntervalJob({ hours: 1 }, new Task('t', noop), { id: 'j' });
    rejects('INVALID_OPTION', /^Job 'j': timezone: the time zone comes from the CronJob's schedule/, () =>
      addToadJob(scheduler, interval(), { timezone: 'UTC' } as never),
    );
    rejects('INVALID_OPTION', /^Job 'report': anchor applies to interval jobs only/, () =>
      addToadJob(scheduler, cronJob('0 * * * *', 'UTC'), { anchor: new Date() }),
    );
    assert.throws(
      () => addToadJob(scheduler, interval(), { retry: -1 }),
      (error: unknown) => {
        assert.ok(error instanceof JobDefinitionError);
        assert.equal(error.code, 'INVALID_OPTION');
        assert.equal(error.job, 'j');
        return true;
      },
    );
    assert.throws(() => addToadJob(scheduler, interval(), { ownr: 'x' } as never), {
      name: 'JobDefinitionError',
      code: 'UNKNOWN_OPTION',
      message: /did you mean 'owner'/,
    });
    assert.deepEqual(scheduler.jobs(), []);
  });
});
