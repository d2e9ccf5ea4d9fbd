import assert from 'node:assert/strict';
import { type CompletionStatus, RunCancelledError, UnexpectedResultError } from '@tickwise/core';
import type { HeldClaim, RunRecord } from '@tickwise/core/store';
import { VirtualClock } from '@tickwise/core/testing';
import type { JobState, RunResult } from '../../../src/runtime/job-state.js';
import type { LeaseHandle } from '../../../src/runtime/lease-keeper.js';
import type { ObservedRun, RunEnd } from '../../../src/runtime/run-observer.js';
import type { RunHistory } from '../../../src/runtime/run-record.js';
import { RunReport } from '../../../src/runtime/run-report.js';
import { TickRunner } from '../../../src/runtime/tick-runner.js';
import { ErrorRecorder } from '../../../src/telemetry/error-detail.js';
import { hms, jobState, recordingReport, silentLogger, T0 } from './fixtures.js';

const claim: HeldClaim = { job: 'j', tick: T0, fence: 9, leaseMs: 30_000, retainMs: 60_000, exclusive: true };

/** A runner whose claim answers `claimed`; claims, completions, releases and the report are recorded as lines. */
function setup(
  claimed: () => Promise<LeaseHandle | RunResult> | LeaseHandle | RunResult,
  completion: CompletionStatus = 'recorded',
  history: RunHistory | null = null,
) {
  const clock = new VirtualClock(T0);
  const report = recordingReport();
  const { lines } = report;
  let leaseReleased = 0;
  /** Called while the completion is in flight. */
  const duringFinish: { check: () => void } = { check: () => {} };
  /** What the runner told the report (runEnded) and the completion (the fleet record). */
  const ends: RunEnd[] = [];
  const records: (RunRecord | undefined)[] = [];
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
                leaseRenewed: () => lines.push('lease renewed'),
                attemptStarted: () => undefined,
                attemptFailed: (_run, failure) => lines.push(`attempt ${failure.attempt} failed`),
                strayReturned: () => {},
                completionUnrecorded: (_run, held) => lines.push(`unrecorded ${held.job}`),
                runEnded: (_run, end: RunEnd) => {
                  ends.push(end);
                  lines.push(`ended ${end.outcome} ${end.completion}`);
                },
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
        finish: async (_lease, outcome, reason, record) => {
          records.push(record);
          duringFinish.check();
          lines.push(`finish ${outcome}${reason ? ` (${(reason as RunCancelledError).reason})` : ''}`);
          return completion;
        },
      },
      releaser: {
        release: async (claims) => {
          lines.push(`release ${claims.map((held) => held.job).join('+')}`);
        },
      },
      history,
    },
    (job: JobState) => lines.push(`ended ${job.info.name}: ${job.activeCount} active`),
  );
  return { clock, runner, lines, lease, ends, records, duringFinish, leaseReleased: () => leaseReleased };
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
    assert.ok(result.error instanceof UnexpectedResultError, 'the failed check is the run’s error');
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

describe('tick runner: what a run reports', () => {
  it('reports the duration from the handler’s start to the completion, and whether it was slower than expect.duration', async () => {
    const { clock, runner, lease, ends } = setup(() => lease);
    const slowJob = jobState({
      name: 'j',
      expect: { duration: '1s' },
      run: () => new Promise<void>((resolve) => clock.setTimer(resolve, 1500)),
    });
    const done = runner.start(slowJob, T0, 'schedule');
    await clock.advance('2s');
    await done;
    assert.equal(ends[0]?.durationMs, 1500);
    assert.equal(ends[0]?.slow, true);
    assert.equal(ends[0]?.expectedMs, 1000);
    assert.equal(ends[0]?.attempts, 1);
    assert.equal(slowJob.lastRun?.durationMs, 1500, 'the job state keeps the same duration');
    const quick = jobState({ name: 'q', expect: { duration: '1s' } });
    await runner.start(quick, T0, 'schedule');
    assert.equal(ends[1]?.slow, false);
  });

  it('a manual run counts as running at once: it holds no claim to wait for', async () => {
    const { clock, runner } = setup(() => assert.fail('manual runs are not claimed'));
    const job = jobState({ name: 'j', run: () => new Promise<void>((resolve) => clock.setTimer(resolve, 1000)) });
    const done = runner.start(job, T0, 'manual');
    assert.equal(job.runningCount, 1);
    await clock.advance('1s');
    await done;
    assert.equal(job.runningCount, 0);
  });

  it('a scheduled run counts as running only once its claim is granted', async () => {
    let grant: (lease: LeaseHandle) => void = () => {};
    const { runner, lease } = setup(() => new Promise((resolve) => (grant = resolve)));
    const job = jobState({ name: 'j' });
    const done = runner.start(job, T0, 'schedule');
    await Promise.resolve();
    assert.equal(job.runningCount, 0, 'its claim is in flight');
    grant(lease);
    await done;
  });

  it('a renewal of the run’s lease is reported on the run', async () => {
    const { runner, lines, lease } = setup(() => lease);
    const job = jobState({
      name: 'j',
      run: () => {
        job.active?.[0]?.leaseRenewed?.();
      },
    });
    await runner.start(job, T0, 'schedule');
    assert.ok(lines.includes('lease renewed'));
  });

  it('a handler that ignores its timeout counts as stray until it returns', async () => {
    const { clock, runner, lease, ends } = setup(() => lease);
    const job = jobState({
      name: 'j',
      timeout: '1s',
      run: () => new Promise<void>((resolve) => clock.setTimer(resolve, 5000)),
    });
    const done = runner.start(job, T0, 'schedule');
    await clock.advance('2s');
    assert.equal((await done).outcome, 'timeout');
    assert.equal(ends[0]?.handlerStillRunning, true);
    assert.equal(job.strayHandlers, 1);
    await clock.advance('5s');
    assert.equal(job.strayHandlers, 0, 'it returned in the end');
  });

  it('stray handlers are counted down one by one as they return', async () => {
    const { clock, runner, lease } = setup(() => lease);
    let returns = 5000;
    const job = jobState({
      name: 'j',
      overlap: 'allow',
      timeout: '1s',
      run: () => {
        const after = returns;
        returns += 5000;
        return new Promise<void>((resolve) => clock.setTimer(resolve, after));
      },
    });
    const runs = [runner.start(job, T0, 'schedule'), runner.start(job, T0, 'schedule')];
    await clock.advance('2s');
    await Promise.all(runs);
    assert.equal(job.strayHandlers, 2);
    await clock.advance('4s');
    assert.equal(job.strayHandlers, 1, 'the first returned at 5 s');
    await clock.advance('5s');
    assert.equal(job.strayHandlers, 0);
  });

  it('sends the run’s record for the fleet history with its completion, error included', async () => {
    const { clock, runner, lease, records } = setup(() => lease, 'recorded', {
      version: '1.2.3',
      errors: new ErrorRecorder('full'),
    });
    const job = jobState({
      name: 'j',
      run: () => new Promise<void>((_resolve, reject) => clock.setTimer(() => reject(new TypeError('bad row')), 2000)),
    });
    const done = runner.start(job, T0 - 500, 'catch-up');
    await clock.advance('3s');
    await done;
    assert.deepEqual(records, [
      {
        job: 'j',
        tick: T0 - 500,
        instanceId: 'replica-a',
        trigger: 'catch-up',
        outcome: 'failure',
        startedAt: T0,
        durationMs: 2000,
        lateMs: 500,
        attempts: 1,
        fence: 9,
        version: '1.2.3',
        error: { type: 'TypeError', message: 'bad row' },
      },
    ]);
  });

  it('keeps no record when the store keeps no fleet history', async () => {
    const { runner, lease, records } = setup(() => lease);
    await runner.start(jobState({ name: 'j' }), T0, 'schedule');
    assert.deepEqual(records, [undefined]);
  });
});

describe('tick runner: expect.result and the completion', () => {
  it('a result that passes expect.result is a success', async () => {
    const { runner, lease } = setup(() => lease);
    const job = jobState({ name: 'j', run: () => 5, expect: { result: (rows) => (rows as number) > 0 } });
    assert.deepEqual(await runner.start(job, T0, 'schedule'), { outcome: 'success' });
  });

  it('a handler that fails under expect.result is a failure: the check reads only successful results', async () => {
    const { runner, lease } = setup(() => lease);
    const job = jobState({
      name: 'j',
      run: () => {
        throw new Error('boom');
      },
      expect: { result: () => false },
    });
    const result = await runner.start(job, T0, 'schedule');
    assert.equal(result.outcome, 'failure');
    assert.equal((result.error as Error).message, 'boom');
  });

  it('while its completion is in flight the run only waits for the store (the gate says store-slow, not overlap)', async () => {
    const { runner, lease, duringFinish } = setup(() => lease);
    const job = jobState({ name: 'j' });
    const seen: boolean[] = [];
    duringFinish.check = () => seen.push(job.onlyRecording);
    await runner.start(job, T0, 'schedule');
    assert.deepEqual(seen, [true]);
  });
});
