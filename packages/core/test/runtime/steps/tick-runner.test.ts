import assert from 'node:assert/strict';
import { type CompletionStatus, RunCancelledError } from '@tickwise/core';
import type { HeldClaim } from '@tickwise/core/store';
import { VirtualClock } from '@tickwise/core/testing';
import type { JobState, RunResult } from '../../../src/runtime/job-state.js';
import type { LeaseHandle } from '../../../src/runtime/lease-keeper.js';
import type { ObservedRun, RunEnd } from '../../../src/runtime/run-observer.js';
import { RunReport } from '../../../src/runtime/run-report.js';
import { TickRunner } from '../../../src/runtime/tick-runner.js';
import { hms, jobState, recordingReport, silentLogger, T0 } from './fixtures.js';

const claim: HeldClaim = { job: 'j', tick: T0, fence: 9, leaseMs: 30_000, retainMs: 60_000, exclusive: true };

/** A runner whose claim answers `claimed`; claims, completions, releases and the report are recorded as lines. */
function setup(
  claimed: () => Promise<LeaseHandle | RunResult> | LeaseHandle | RunResult,
  completion: CompletionStatus = 'recorded',
) {
  const clock = new VirtualClock(T0);
  const report = recordingReport();
  const { lines } = report;
  let leaseReleased = 0;
  const lease: LeaseHandle = { claim, abortAt: T0 + 27_000, lost: false, release: () => leaseReleased++ };
  const runner = new TickRunner(
    {
      instanceId: 'replica-a',
      clock,
      logger: silentLogger,
      report: new RunReport(
        [
          {
            timesClaims: false,
            claimAnswered: () => {},
            tickSkipped: (skip) => report.skip({ info: skip.job }, skip.tick, skip.reason, skip.count),
            runStarted: (run: ObservedRun) => {
              lines.push(`started ${run.runId} fence ${run.fence}`);
              return {
                leaseRenewed: () => {},
                attemptStarted: () => undefined,
                attemptFailed: (_run, failure) => lines.push(`attempt ${failure.attempt} failed`),
                strayReturned: () => {},
                completionUnrecorded: (_run, held) => lines.push(`unrecorded ${held.job}`),
                runEnded: (_run, end: RunEnd) => lines.push(`ended ${end.outcome} ${end.completion}`),
              };
            },
          },
        ],
        clock,
      ),
      claim: {
        claim: async (job, run, takeover) => {
          lines.push(`claim ${job.info.name} ${hms(run.tick)} ${takeover}`);
          const answer = await claimed();
          if ('claim' in answer) run.claimed = true;
          return answer;
        },
      },
      completions: {
        finish: async (_lease, outcome, reason) => {
          lines.push(`finish ${outcome}${reason ? ` (${(reason as RunCancelledError).reason})` : ''}`);
          return completion;
        },
      },
      releaser: {
        release: async (claims) => {
          lines.push(`release ${claims.map((held) => held.job).join('+')}`);
        },
      },
      history: null,
    },
    (job: JobState) => lines.push(`ended ${job.info.name}: ${job.activeCount} active`),
  );
  return { runner, lines, lease, leaseReleased: () => leaseReleased };
}

describe('tick runner', () => {
  it('claims, runs, completes and reports, keeping the run in the job’s active list until it has ended', async () => {
    const { runner, lines, lease } = setup(() => lease);
    const job = jobState({ name: 'j', run: () => lines.push('handler') });
    const done = runner.start(job, T0, 'schedule');
    assert.equal(job.activeCount, 1, 'active from the gate on, its claim in flight');
    assert.deepEqual(await done, { outcome: 'success' });
    assert.deepEqual(lines, [
      'claim j 00:00:00 false',
      'started replica-a:1 fence 9',
      'handler',
      'finish success',
      'ended success recorded',
      'ended j: 0 active',
    ]);
    assert.equal(job.lastRun?.outcome, 'success', 'the job state is updated before the report');
  });

  it('a tick the claim refuses does not run; its job is told the run ended all the same', async () => {
    const { runner, lines } = setup(() => ({ outcome: 'skipped', reason: 'claimed-elsewhere' }));
    const job = jobState({ name: 'j', run: () => assert.fail('not claimed') });
    assert.deepEqual(await runner.start(job, T0, 'catch-up', undefined, 'reask'), {
      outcome: 'skipped',
      reason: 'claimed-elsewhere',
    });
    assert.deepEqual(lines, ['claim j 00:00:00 reask', 'ended j: 0 active']);
  });

  it('a manual run is not claimed and records no completion', async () => {
    const { runner, lines } = setup(() => assert.fail('manual runs are not claimed'));
    const job = jobState({ name: 'j' });
    await runner.start(job, T0, 'manual');
    assert.deepEqual(lines, ['started replica-a:1 fence 0', 'ended success none', 'ended j: 0 active']);
  });

  it('remove() while the claim was in flight: the handler never starts, the tick is given back and skipped as removed', async () => {
    let grant: (lease: LeaseHandle) => void = () => {};
    const { runner, lines, lease, leaseReleased } = setup(() => new Promise((resolve) => (grant = resolve)));
    const job = jobState({ name: 'j', run: () => assert.fail('removed') });
    const done = runner.start(job, T0, 'schedule');
    await Promise.resolve();
    job.active?.[0]?.abort.abort(new RunCancelledError('j', 'removed'));
    grant(lease);
    assert.deepEqual(await done, { outcome: 'skipped', reason: 'removed' });
    assert.equal(leaseReleased(), 1);
    assert.deepEqual(lines, ['claim j 00:00:00 false', 'release j', 'skip j 00:00:00 removed', 'ended j: 0 active']);
  });

  it('a result that fails expect.result makes the outcome unexpected (completed as such)', async () => {
    const { runner, lines, lease } = setup(() => lease);
    const job = jobState({ name: 'j', run: () => 0, expect: { result: (rows) => (rows as number) > 0 } });
    const result = await runner.start(job, T0, 'schedule');
    assert.equal(result.outcome, 'unexpected');
    assert.ok(lines.includes('finish unexpected'));
  });

  it('a completion the store never got is reported (the tick may run again elsewhere)', async () => {
    const { runner, lines, lease } = setup(() => lease, 'unrecorded');
    await runner.start(jobState({ name: 'j' }), T0, 'schedule');
    assert.deepEqual(lines.slice(2), [
      'finish success',
      'unrecorded j',
      'ended success unrecorded',
      'ended j: 0 active',
    ]);
  });

  it('a failing handler: the failure is reported per attempt and the run ends as failure', async () => {
    const { runner, lines, lease } = setup(() => lease);
    const job = jobState({
      name: 'j',
      run: () => {
        throw new Error('boom');
      },
    });
    const result = await runner.start(job, T0, 'schedule');
    assert.equal(result.outcome, 'failure');
    assert.deepEqual(lines.slice(2), [
      'attempt 1 failed',
      'finish failure',
      'ended failure recorded',
      'ended j: 0 active',
    ]);
    assert.equal(job.consecutiveFailures, 1);
  });
});
