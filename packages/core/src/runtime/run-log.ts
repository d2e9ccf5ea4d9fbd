// The scheduler's log lines about runs and skipped ticks, as a RunObserver. Warnings and errors
// (failed attempts and runs, slow runs, stray handlers, unrecorded completions) always go out;
// the routine info lines (a success, a skip) only to a logger of the application's (`logging`).
// Each run's lines go through its bound logger (ObservedRun.logger); nothing is kept per run.

import type { AttemptObserver } from './attempts.js';
import type { Logger } from './logger.js';
import type { AttemptFailure, ObservedRun, RunEnd, RunObservation, RunObserver, SkippedTick } from './run-observer.js';
import type { HeldClaim } from './store.js';

export class RunLog implements RunObserver, RunObservation {
  readonly timesClaims = false;

  constructor(
    private readonly logger: Logger,
    /** False without a logger of the application's: info lines are then not even built. */
    private readonly logging: boolean,
  ) {}

  tickSkipped(skip: SkippedTick): void {
    if (!this.logging) return;
    const { job, reason, count, traceId } = skip;
    this.logger.info(
      {
        job: job.name,
        tick: new Date(skip.tick).toISOString(),
        reason,
        count,
        ...(traceId !== undefined && { traceId }),
      },
      `tickwise: ${job.name} tick skipped (${reason}${count > 1 ? `, ${count} ticks` : ''})`,
    );
  }

  claimAnswered(): void {}

  runStarted(): RunObservation {
    return this;
  }

  leaseRenewed(): void {}

  attemptStarted(): AttemptObserver | undefined {
    return undefined;
  }

  attemptFailed(run: ObservedRun, failure: AttemptFailure): void {
    run
      .logger()
      .warn(
        { attempt: failure.attempt, err: failure.error, willRetry: failure.willRetry },
        `tickwise: ${run.job.name} attempt failed`,
      );
  }

  strayReturned(run: ObservedRun): void {
    run.logger().warn({}, `tickwise: ${run.job.name} handler returned after its run was given up`);
  }

  completionUnrecorded(run: ObservedRun, claim: HeldClaim): void {
    run
      .logger()
      .error(
        {},
        `tickwise: ${claim.job} could not record its completion before the lease ran out; another replica may run the tick again`,
      );
  }

  runEnded(run: ObservedRun, end: RunEnd): void {
    const { outcome, durationMs, attempts, completion, slow } = end;
    const { name } = run.job;
    const { fence } = run;
    if (outcome === 'success') {
      if (slow) {
        run
          .logger()
          .warn(
            { outcome, durationMs, expectedMs: end.expectedMs, fence, completion },
            `tickwise: ${name} was slow: ${durationMs} ms, expected at most ${end.expectedMs} ms`,
          );
      } else if (this.logging) {
        run
          .logger()
          .info({ outcome: 'success', durationMs, attempts, fence, completion }, `tickwise: ${name} succeeded`);
      }
      return;
    }
    run
      .logger()
      .error(
        { outcome, durationMs, attempts, fence, completion, err: end.error, ...(slow && { slow }) },
        `tickwise: ${name} ${outcome}`,
      );
  }
}
