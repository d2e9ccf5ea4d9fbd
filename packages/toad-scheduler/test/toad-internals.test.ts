// toad-scheduler's internal fields this package reads (src/toad-internals.ts), on the installed
// release: a test here fails when a toad-scheduler release moves one of them.

import assert from 'node:assert/strict';
import { ToadJobError } from '@tickwise/toad-scheduler';
import { AsyncTask, CronJob, LongIntervalJob, SimpleIntervalJob, Task, ToadScheduler } from 'toad-scheduler';
import { jobsOfToadScheduler, readToadJob } from '../src/toad-internals.js';

describe('toad-scheduler internals', () => {
  it('a job keeps schedule, task and preventOverrun; a task its id, handler and errorHandler', () => {
    const handler = async () => {};
    const errorHandler = () => {};
    const schedule = { minutes: 5, runImmediately: true };
    const parts = readToadJob(
      new SimpleIntervalJob(schedule, new AsyncTask('task-id', handler, errorHandler), {
        id: 'job-id',
        preventOverrun: false,
      }),
      'job-id',
    );
    assert.equal(parts.kind, 'SimpleIntervalJob');
    assert.equal(parts.id, 'job-id');
    assert.equal(parts.schedule, schedule);
    assert.equal(parts.preventOverrun, false);
    assert.equal(parts.task.id, 'task-id');
    assert.equal(parts.task.handler, handler);
    assert.equal(parts.task.errorHandler, errorHandler);
    assert.equal(parts.task.isAsync, true);
  });

  it('defaults as toad-scheduler applies them: preventOverrun on for intervals, off for cron; a default errorHandler', () => {
    const long = readToadJob(new LongIntervalJob({ hours: 1 }, new Task('t', () => {})), 'x');
    assert.equal(long.kind, 'LongIntervalJob');
    assert.equal(long.preventOverrun, true);
    assert.equal(long.task.isAsync, false);
    assert.equal(typeof long.task.errorHandler, 'function');
    const cron = readToadJob(
      new CronJob({ cronExpression: '0 * * * *', timezone: 'UTC' }, new Task('t', () => {})),
      'x',
    );
    assert.equal(cron.kind, 'CronJob');
    assert.equal(cron.preventOverrun, false);
    assert.deepEqual(cron.schedule, { cronExpression: '0 * * * *', timezone: 'UTC' });
  });

  it("a ToadScheduler's engines list every job, id-less ones too", () => {
    const toad = new ToadScheduler();
    const a = new SimpleIntervalJob({ hours: 1 }, new Task('t', () => {}), { id: 'a' });
    const b = new SimpleIntervalJob({ hours: 1 }, new Task('t', () => {}));
    const c = new CronJob({ cronExpression: '0 * * * *' }, new Task('t', () => {}), { id: 'c' });
    toad.addSimpleIntervalJob(a);
    toad.addIntervalJob(b);
    toad.addCronJob(c);
    assert.deepEqual(toad.getAllJobs(), [a, c], 'the public list leaves out id-less jobs');
    assert.deepEqual(
      jobsOfToadScheduler(toad).map((entry) => entry.job),
      [a, b, c],
    );
    toad.stop();
  });

  it('a field that is missing is INCOMPATIBLE_TOAD, not a wrong run', () => {
    const job = new SimpleIntervalJob({ hours: 1 }, new Task('t', () => {}), { id: 'j' });
    delete (job as unknown as Record<string, unknown>).preventOverrun;
    assert.throws(
      () => readToadJob(job, 'j'),
      (error: unknown) => error instanceof ToadJobError && error.code === 'INCOMPATIBLE_TOAD',
    );
    const toad = new ToadScheduler();
    delete (toad as unknown as Record<string, unknown>).engines;
    assert.throws(() => jobsOfToadScheduler(toad), { code: 'INCOMPATIBLE_TOAD' });
  });
});
