// Steps 4-7 for one tick that passed the gate: claim (claim.ts) -> attempts (attempts.ts, the
// lease kept alive meanwhile) -> completion (completion.ts) -> report (run-report.ts). The run is
// in its job's `active` list from the gate to its end, whatever happens: the overlap gate, remove()
// and stop() read that list, and when the run ends the gate lets the next waiting tick through.

import type { SpanContext } from '@opentelemetry/api';
import { AbortSource } from './abort-source.js';
import { runAttempts } from './attempts.js';
import type { TakeoverAsk, TickClaim } from './claim.js';
import type { ClaimReleaser } from './claim-release.js';
import type { Clock } from './clock.js';
import type { CompletionRecorder } from './completion.js';
import { isCancelledFor } from './errors.js';
import { checkResult, isSlow, keepingResult } from './expectation.js';
import type { RunTrigger } from './job.js';
import type { ActiveRun, ClaimOverride, JobState, RunResult } from './job-state.js';
import type { LeaseHandle } from './lease-keeper.js';
import type { Logger } from './logger.js';
import { HandlerContext } from './run-context.js';
import { ObservedRun } from './run-observer.js';
import { type RunHistory, runRecord } from './run-record.js';
import type { RunReport } from './run-report.js';
import type { RunOutcome } from './store.js';

export interface TickRunnerParts {
  instanceId: string;
  /** Store time. */
  clock: Clock;
  /** The scheduler's logger, which each run's logger binds. */
  logger: Logger;
  report: Pick<RunReport, 'skip' | 'runStarted'>;
  claim: Pick<TickClaim, 'claim'>;
  completions: Pick<CompletionRecorder, 'finish'>;
  releaser: Pick<ClaimReleaser, 'release'>;
  /** Builds the run's record for the fleet history; null when the store keeps none. */
  history: RunHistory | null;
}

export class TickRunner {
  private runCounter = 0;

  constructor(
    private readonly parts: TickRunnerParts,
    /** A run of the job has ended (Gate.drain). */
    private readonly ended: (job: JobState) => void,
  ) {}

  /**
   * Runs the tick: claimed as `takeover` says (a manual run is not claimed), under the job's own
   * name or `claimAs`. `link`: the caller's span, for a manual run. Resolves when the run is over.
   */
  start(
    job: JobState,
    tick: number,
    trigger: RunTrigger,
    link?: SpanContext,
    takeover: TakeoverAsk = false,
    claimAs: ClaimOverride | null = null,
  ): Promise<RunResult> {
    const run: ActiveRun = {
      abort: new AbortSource(),
      tick,
      done: null,
      leaseRenewed: null,
      claimed: trigger === 'manual',
      recording: false,
      startedAt: Number.NaN,
      claimAs,
    };
    job.addActive(run);
    run.done = this.runAndCleanUp(job, run, trigger, link, takeover);
    return run.done;
  }

  /** A run, cleaned up after itself whatever happens (the overlap gate and stop() rely on it). */
  private async runAndCleanUp(
    job: JobState,
    run: ActiveRun,
    trigger: RunTrigger,
    link: SpanContext | undefined,
    takeover: TakeoverAsk,
  ): Promise<RunResult> {
    try {
      return await this.run(job, run, trigger, link, takeover);
    } finally {
      job.removeActive(run);
      this.ended(job);
    }
  }

  /** A run from claim to completion. */
  private async run(
    job: JobState,
    run: ActiveRun,
    trigger: RunTrigger,
    link: SpanContext | undefined,
    takeover: TakeoverAsk,
  ): Promise<RunResult> {
    if (trigger === 'manual') return this.runClaimed(job, run, trigger, null, link);
    const claimed = await this.parts.claim.claim(job, run, takeover);
    if ('outcome' in claimed) return claimed;
    if (isCancelledFor(run.abort.reason, 'removed')) {
      // remove() came while the claim was in flight: the handler never starts; the tick is given back.
      claimed.release();
      await this.parts.releaser.release([claimed.claim]);
      this.parts.report.skip(job, run.tick, 'removed');
      return { outcome: 'skipped', reason: 'removed' };
    }
    return this.runClaimed(job, run, trigger, claimed, link);
  }

  /** Steps 5-7: attempts, completion in the store, the report. */
  private async runClaimed(
    job: JobState,
    run: ActiveRun,
    trigger: RunTrigger,
    lease: LeaseHandle | null,
    link: SpanContext | undefined,
  ): Promise<RunResult> {
    const { clock } = this.parts;
    const name = job.info.name;
    const fence = lease?.claim.fence ?? 0;
    const startedAt = clock.now();
    run.startedAt = startedAt;
    const observed = new ObservedRun(
      job.info,
      job.functionName,
      run.tick,
      trigger,
      fence,
      startedAt,
      link,
      this.parts.instanceId,
      ++this.runCounter,
      this.parts.logger,
    );
    const report = this.parts.report.runStarted(observed);
    if (lease) run.leaseRenewed = () => report.leaseRenewed(clock.now());

    // expect.result: the handler's return value is kept only when a check will read it.
    const expectation = job.options.expect;
    const check = expectation?.result ?? null;
    let returned: unknown;
    const attempted = runAttempts({
      job: name,
      clock,
      retry: job.options.retry,
      timeoutMs: job.options.timeoutMs,
      run: run.abort,
      invoke: (attempt, abort, attemptStartedAt) => {
        const context = new HandlerContext(
          {
            job: job.info,
            scheduledAt: observed.scheduledAt,
            startedAt: new Date(attemptStartedAt),
            attempt,
            fence,
            trigger,
          },
          abort,
          observed,
        );
        const value = job.run(context);
        return check ? keepingResult(value, (result) => (returned = result)) : value;
      },
      onAttemptFailure: (info) => report.attemptFailed(info),
      startAttempt: (attempt, at) => report.attemptStarted(attempt, at),
      onStraySettled: () => {
        job.strayHandlers = Math.max(0, job.strayHandlers - 1);
        report.strayReturned();
      },
    });
    // A handler that finished synchronously gives its result at once: no promise to wait for.
    const result = attempted instanceof Promise ? await attempted : attempted;
    if (result.handlerStillRunning) job.strayHandlers++;
    const unexpected = check && result.outcome === 'success' ? checkResult(name, check, returned) : null;
    const outcome: RunOutcome = unexpected ? 'unexpected' : result.outcome;
    const error = unexpected ?? result.error;

    run.recording = true;
    const { history } = this.parts;
    const record =
      lease && history
        ? runRecord(history, {
            job: name,
            tick: run.tick,
            instanceId: this.parts.instanceId,
            trigger,
            outcome,
            startedAt,
            endedAt: clock.now(),
            attempts: result.attempts,
            fence,
            error,
          })
        : undefined;
    const completion = lease ? await this.parts.completions.finish(lease, outcome, run.abort.reason, record) : 'none';
    if (completion === 'unrecorded' && lease) report.completionUnrecorded(lease.claim);
    const finishedAt = clock.now();
    const durationMs = finishedAt - startedAt;
    const slow = isSlow(expectation, durationMs);
    job.finished(run.tick, outcome, durationMs, finishedAt, trigger, slow);
    report.runEnded({
      outcome,
      error,
      durationMs,
      attempts: result.attempts,
      handlerStillRunning: result.handlerStillRunning,
      completion,
      finishedAt,
      slow,
      expectedMs: expectation?.durationMs,
    });
    return error === undefined ? { outcome } : { outcome, error };
  }
}
