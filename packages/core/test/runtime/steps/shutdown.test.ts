import assert from 'node:assert/strict';
import { every, MemoryStore, RunCancelledError } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import { buildJob, sourceFromDefinition } from '../../../src/runtime/job-registry.js';
import { JobTable } from '../../../src/runtime/job-table.js';
import type { Logger } from '../../../src/runtime/logger.js';
import { Shutdown } from '../../../src/runtime/shutdown.js';
import { activeRun, lifecycle, recordingReport, silentLogger, T0 } from './fixtures.js';

/** A shutdown over a job table with one job `j`; the parts it stops are recorded as lines. */
function setup(
  state: Parameters<typeof lifecycle>[0] = 'running',
  withControls = false,
  logger: Logger = silentLogger,
) {
  const clock = new VirtualClock(T0);
  const report = recordingReport();
  const { lines } = report;
  const jobs = new JobTable(new MemoryStore(), [], silentLogger);
  const job = jobs.insert(buildJob(sourceFromDefinition({ name: 'j', schedule: every('1m'), run: () => {} })));
  const life = lifecycle(state);
  const shutdown = new Shutdown({
    clock,
    logger,
    lifecycle: life,
    membership: { leave: async () => void lines.push('leave') },
    controls: withControls ? { stop: () => void lines.push('controls stopped') } : null,
    jobs,
    ticks: { clear: () => void lines.push('ticks cleared') },
    asks: { clear: () => void lines.push('asks cleared') },
    claims: { cancelPending: () => void lines.push('pending claims cancelled') },
    leases: { close: () => void lines.push('leases closed') },
    report,
  });
  return { clock, shutdown, job, jobs, lines, life };
}

describe('shutdown', () => {
  it('stops the queues first, reports every buffered tick skipped (shutdown), then leaves the store', async () => {
    const { shutdown, job, lines, life } = setup();
    job.enqueue({ tick: T0 + 60_000, trigger: 'schedule' }, { tick: T0 + 120_000, trigger: 'catch-up' });
    const result = await shutdown.run(30_000);
    assert.deepEqual(lines, [
      'ticks cleared',
      'asks cleared',
      'pending claims cancelled',
      'skip j 00:01:00 shutdown',
      'skip j 00:02:00 shutdown',
      'leases closed',
      'leave',
    ]);
    assert.equal(job.buffer?.length, 0);
    assert.equal(life.state, 'stopped');
    assert.deepEqual(result, { stillRunning: [] });
  });

  it('a scheduler that never ran does not leave a store it never joined', async () => {
    const { shutdown, lines } = setup('idle');
    await shutdown.run(30_000);
    assert.equal(lines.includes('leave'), false);
  });

  it('gives running runs the grace period, then aborts them (shutdown) and waits until they have ended', async () => {
    const { clock, shutdown, job, lines } = setup();
    const run = activeRun(job, T0);
    let end: () => void = () => {};
    run.done = new Promise((resolve) => {
      end = () => {
        job.removeActive(run);
        resolve({ outcome: 'cancelled' });
      };
    });
    run.abort.onAbort(() => setImmediate(end));
    let stopped = false;
    const stopping = shutdown.run(10_000).then(() => (stopped = true));
    await clock.advance('9s');
    assert.equal(run.abort.aborted, false, 'within the grace period');
    await clock.advance('1s');
    assert.ok(run.abort.reason instanceof RunCancelledError);
    assert.equal(run.abort.reason.reason, 'shutdown');
    await stopping;
    assert.equal(stopped, true);
    assert.ok(lines.indexOf('leases closed') > lines.indexOf('pending claims cancelled'));
  });

  it('waits for the runs of removed jobs still draining too', async () => {
    const { shutdown, job, jobs } = setup();
    const run = activeRun(job, T0);
    jobs.remove('j');
    run.done = Promise.resolve({ outcome: 'success' as const }).then((result) => {
      job.removeActive(run);
      return result;
    });
    await shutdown.run(30_000);
    assert.equal(job.activeCount, 0);
  });
});

describe('shutdown: order and state', () => {
  it('stops polling the fleet controls before anything else', async () => {
    const { shutdown, lines } = setup('running', true);
    await shutdown.run(30_000);
    assert.deepEqual(lines.slice(0, 2), ['controls stopped', 'ticks cleared']);
  });

  it('lets a start() still under way finish first, so that what it sets up is torn down', async () => {
    const { shutdown, lines, life } = setup('idle');
    let started: () => void = () => {};
    void life.start(() => new Promise<void>((resolve) => (started = resolve)));
    const stopping = shutdown.run(30_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(lines.length, 0, 'nothing is stopped while start() is under way');
    life.state = 'running';
    started();
    await stopping;
    assert.deepEqual(lines.slice(0, 1), ['ticks cleared']);
    assert.ok(lines.includes('leave'), 'the start finished, so the store it joined is left');
  });

  it('is `stopping` during the grace period, and `stopped` once every run has ended', async () => {
    const { clock, shutdown, job, life } = setup();
    const run = activeRun(job, T0);
    run.done = new Promise((resolve) =>
      run.abort.onAbort(() => {
        job.removeActive(run);
        resolve({ outcome: 'cancelled' });
      }),
    );
    const stopping = shutdown.run(10_000);
    await clock.advance('5s');
    assert.equal(life.state, 'stopping');
    assert.equal(life.shuttingDown, true);
    await clock.advance('5s');
    await stopping;
    assert.equal(life.state, 'stopped');
  });

  it('runs that end within the grace period leave no grace timer behind', async () => {
    const { clock, shutdown, job } = setup();
    const run = activeRun(job, T0);
    run.done = Promise.resolve({ outcome: 'success' as const }).then((result) => {
      job.removeActive(run);
      return result;
    });
    await shutdown.run(30_000);
    assert.equal(run.abort.aborted, false, 'ended on its own: not aborted');
    assert.equal(clock.pendingTimers, 0);
  });
});

describe('shutdown: the log', () => {
  it('says the scheduler stopped, naming the jobs whose handlers are still running', async () => {
    const logged: string[] = [];
    const logger: Logger = {
      ...silentLogger,
      info: (fields, message) => void logged.push(`${message} ${JSON.stringify(fields)}`),
    };
    const { shutdown, job } = setup('running', false, logger);
    job.strayHandlers = 1;
    const result = await shutdown.run(30_000);
    assert.deepEqual(result, { stillRunning: ['j'] });
    assert.deepEqual(logged, ['tickwise: scheduler stopped {"stillRunning":["j"]}']);
  });
});
