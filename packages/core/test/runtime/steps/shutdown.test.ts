import assert from 'node:assert/strict';
import { every, MemoryStore, RunCancelledError } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';
import { buildJob, sourceFromDefinition } from '../../../src/runtime/job-registry.js';
import { JobTable } from '../../../src/runtime/job-table.js';
import { Shutdown } from '../../../src/runtime/shutdown.js';
import { activeRun, lifecycle, recordingReport, silentLogger, T0 } from './fixtures.js';

/** A shutdown over a job table with one job `j`; the parts it stops are recorded as lines. */
function setup(state: Parameters<typeof lifecycle>[0] = 'running') {
  const clock = new VirtualClock(T0);
  const report = recordingReport();
  const { lines } = report;
  const jobs = new JobTable(new MemoryStore(), [], silentLogger);
  const job = jobs.insert(buildJob(sourceFromDefinition({ name: 'j', schedule: every('1m'), run: () => {} })));
  const life = lifecycle(state);
  const shutdown = new Shutdown({
    clock,
    logger: silentLogger,
    lifecycle: life,
    membership: { leave: async () => void lines.push('leave') },
    controls: null,
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
