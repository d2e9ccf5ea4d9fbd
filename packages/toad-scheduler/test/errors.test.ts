// The task's error handler on Tickwise: called with the error once per failed run (after retries),
// never allowed to crash the process; AsyncTask promises are awaited.

import assert from 'node:assert/strict';
import { addToadJob } from '@tickwise/toad-scheduler';
import { AsyncTask, SimpleIntervalJob, Task } from 'toad-scheduler';
import { recordingLogger, tickwise } from './helpers.js';

const START = '2026-03-02T10:00:00.000Z';

describe('error handler', () => {
  it('an AsyncTask that rejects: its errorHandler gets the error, once per failed run, after the retries', async () => {
    const { clock, scheduler } = tickwise(START);
    const boom = new Error('boom');
    let attempts = 0;
    const handled: unknown[] = [];
    addToadJob(
      scheduler,
      new SimpleIntervalJob(
        { minutes: 5 },
        new AsyncTask(
          'sync',
          async () => {
            attempts++;
            throw boom;
          },
          (error) => handled.push(error),
        ),
        { id: 'sync' },
      ),
      { retry: { retries: 2, minTimeout: '10s', randomize: false } },
    );
    await scheduler.start();
    await clock.advance('5m');
    assert.equal(attempts, 1);
    assert.equal(handled.length, 0, 'not while retries remain');
    await clock.advance('30s');
    assert.equal(attempts, 3);
    assert.deepEqual(handled, [boom]);
    await clock.advance('5m');
    assert.deepEqual(handled, [boom, boom]);
    const [job] = scheduler.jobs();
    assert.equal(job?.lastRun?.outcome, 'failure');
    assert.equal(job?.consecutiveFailures, 2);
    await scheduler.stop();
  });

  it('a Task that throws: its errorHandler gets the error', async () => {
    const { clock, scheduler } = tickwise(START);
    const handled: unknown[] = [];
    addToadJob(
      scheduler,
      new SimpleIntervalJob(
        { minutes: 5 },
        new Task(
          't',
          () => {
            throw new TypeError('bad');
          },
          (error) => handled.push(error.message),
        ),
        { id: 'j' },
      ),
    );
    await scheduler.start();
    await clock.advance('10m');
    assert.deepEqual(handled, ['bad', 'bad']);
    await scheduler.stop();
  });

  it('a Task whose handler returns a rejected promise is awaited: the errorHandler gets the rejection', async () => {
    const { clock, scheduler } = tickwise(START);
    const handled: string[] = [];
    addToadJob(
      scheduler,
      new SimpleIntervalJob(
        { minutes: 5 },
        new Task(
          't',
          (async () => {
            throw new Error('late');
          }) as () => void,
          (error) => handled.push(error.message),
        ),
        { id: 'j' },
      ),
    );
    await scheduler.start();
    await clock.advance('5m');
    assert.deepEqual(handled, ['late']);
    assert.equal(scheduler.jobs()[0]?.lastRun?.outcome, 'failure');
    await scheduler.stop();
  });

  for (const kind of ['throws', 'rejects'] as const) {
    it(`an errorHandler that ${kind} is logged; the process and the schedule go on`, async () => {
      const { clock, scheduler } = tickwise(START);
      const logger = recordingLogger();
      let runs = 0;
      addToadJob(
        scheduler,
        new SimpleIntervalJob(
          { minutes: 5 },
          new AsyncTask(
            't',
            async () => {
              runs++;
              throw new Error('first');
            },
            kind === 'throws'
              ? () => {
                  throw new Error('handler broke');
                }
              : async () => {
                  throw new Error('handler broke');
                },
          ),
          { id: 'j' },
        ),
        { logger },
      );
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        await scheduler.start();
        await clock.advance('10m');
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
      assert.equal(runs, 2);
      assert.deepEqual(unhandled, []);
      const errors = logger.lines.filter((line) => line.level === 'error');
      assert.equal(errors.length, 2);
      const [first] = errors;
      assert.ok(first);
      assert.equal(first.message, 'tickwise: the toad-scheduler error handler of j threw');
      assert.equal((first.fields.err as Error).message, 'handler broke');
      assert.equal((first.fields.originalError as Error).message, 'first');
      await scheduler.stop();
    });
  }

  it("without an errorHandler, toad-scheduler's default prints the error with console.error", async () => {
    const { clock, scheduler } = tickwise(START);
    addToadJob(
      scheduler,
      new SimpleIntervalJob(
        { minutes: 5 },
        new AsyncTask('nightly', async () => {
          throw new Error('boom');
        }),
        { id: 'j' },
      ),
    );
    const printed: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => printed.push(args);
    try {
      await scheduler.start();
      await clock.advance('5m');
    } finally {
      console.error = original;
    }
    assert.deepEqual(printed, [['Error while handling task nightly: boom']]);
    await scheduler.stop();
  });

  it('a run cancelled by Tickwise (shutdown) is not passed to the errorHandler', async () => {
    const { clock, scheduler, sleep } = tickwise(START);
    const handled: unknown[] = [];
    addToadJob(
      scheduler,
      new SimpleIntervalJob(
        { minutes: 5 },
        new AsyncTask(
          't',
          () => sleep(60_000),
          (error) => handled.push(error),
        ),
        {
          id: 'j',
        },
      ),
    );
    await scheduler.start();
    await clock.advance('5m');
    const stopped = scheduler.stop({ graceMs: 1000 });
    await clock.advance('2m');
    await stopped;
    assert.equal(scheduler.jobs()[0]?.lastRun?.outcome, 'cancelled');
    assert.deepEqual(handled, []);
  });
});

describe('tasks', () => {
  it("an AsyncTask's promise is awaited: the run lasts until it settles", async () => {
    const { clock, scheduler, sleep } = tickwise(START);
    const durations: number[] = [];
    scheduler.on('run:success', (event) => durations.push(event.durationMs));
    addToadJob(scheduler, new SimpleIntervalJob({ minutes: 5 }, new AsyncTask('t', () => sleep(180_000)), { id: 'j' }));
    await scheduler.start();
    await clock.advance('5m');
    assert.equal(scheduler.jobs()[0]?.running, 1);
    await clock.advance('3m');
    assert.deepEqual(durations, [180_000]);
    assert.equal(scheduler.jobs()[0]?.running, 0);
    await scheduler.stop();
  });

  it('the handler gets (taskId, jobId), as toad-scheduler passes them', async () => {
    const { clock, scheduler } = tickwise(START);
    const calls: unknown[][] = [];
    addToadJob(
      scheduler,
      new SimpleIntervalJob(
        { minutes: 5 },
        new Task('the-task', (...args: unknown[]) => {
          calls.push(args);
        }),
        { id: 'the-job' },
      ),
      { name: 'renamed' },
    );
    await scheduler.start();
    await clock.advance('5m');
    assert.deepEqual(calls, [['the-task', 'the-job']]);
    await scheduler.stop();
  });

  it('task.isExecuting is true while a run goes, as under toad-scheduler', async () => {
    const { clock, scheduler, sleep } = tickwise(START);
    const task = new AsyncTask('t', () => sleep(60_000));
    addToadJob(scheduler, new SimpleIntervalJob({ minutes: 5 }, task, { id: 'j' }));
    await scheduler.start();
    assert.equal(task.isExecuting, false);
    await clock.advance('5m');
    assert.equal(task.isExecuting, true);
    await clock.advance('1m');
    assert.equal(task.isExecuting, false);
    await scheduler.stop();
  });
});
