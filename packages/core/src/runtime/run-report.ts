// Step 7 of a tick, the report: tells every RunObserver (run-observer.ts) about each skipped tick
// and each run, one after another in the order given. The scheduler gives telemetry first, then
// events, then log lines: the trace ids telemetry writes are then there for the log lines.

import type { AttemptObserver } from './attempts.js';
import type { Clock } from './clock.js';
import type { SkipReason } from './events.js';
import type { JobInfo } from './job.js';
import type { AttemptFailure, ObservedRun, RunEnd, RunObservation, RunObserver, SkippedTick } from './run-observer.js';
import type { HeldClaim } from './store.js';

export class RunReport {
  readonly timesClaims: boolean;

  constructor(
    private readonly observers: readonly RunObserver[],
    /** Store time. */
    private readonly clock: Clock,
  ) {
    this.timesClaims = observers.some((observer) => observer.timesClaims);
  }

  /** Reports a tick that did not run: every skipped tick is reported, with its reason. */
  skip(job: { readonly info: JobInfo }, tick: number, reason: SkipReason, count = 1): void {
    this.tickSkipped({ job: job.info, tick, reason, count, at: this.clock.now(), traceId: undefined });
  }

  tickSkipped(skip: SkippedTick): void {
    for (const observer of this.observers) observer.tickSkipped(skip);
  }

  claimAnswered(job: JobInfo, durationMs: number, result: string): void {
    for (const observer of this.observers) if (observer.timesClaims) observer.claimAnswered(job, durationMs, result);
  }

  /** Tells every observer that the run starts; the run's later reports go through what this returns. */
  runStarted(run: ObservedRun): ReportedRun {
    return new ReportedRun(
      run,
      this.observers.map((observer) => observer.runStarted(run)),
    );
  }
}

/** One run's reports, told to each observer's observation of it, in order. */
export class ReportedRun {
  constructor(
    private readonly run: ObservedRun,
    private readonly each: readonly RunObservation[],
  ) {}

  leaseRenewed(at: number): void {
    for (const observation of this.each) observation.leaseRenewed(this.run, at);
  }

  /** The attempt's watcher (the handler runs inside it); UNWATCHED_ATTEMPT when no observer watches. */
  attemptStarted(attempt: number, at: number): AttemptObserver {
    let watching: AttemptObserver | undefined;
    for (const observation of this.each) {
      const watcher = observation.attemptStarted(this.run, attempt, at);
      if (watcher) watching = watching ? nested(watching, watcher) : watcher;
    }
    return watching ?? UNWATCHED_ATTEMPT;
  }

  attemptFailed(failure: AttemptFailure): void {
    for (const observation of this.each) observation.attemptFailed(this.run, failure);
  }

  strayReturned(): void {
    for (const observation of this.each) observation.strayReturned(this.run);
  }

  completionUnrecorded(claim: HeldClaim): void {
    for (const observation of this.each) observation.completionUnrecorded(this.run, claim);
  }

  runEnded(end: RunEnd): void {
    for (const observation of this.each) observation.runEnded(this.run, end);
  }
}

/** Two watchers of one attempt: the handler runs inside both wraps; the inner one ends first. */
function nested(outer: AttemptObserver, inner: AttemptObserver): AttemptObserver {
  return {
    wrap: (fn) => outer.wrap(() => inner.wrap(fn)),
    end: (error, at) => {
      inner.end(error, at);
      outer.end(error, at);
    },
  };
}

/** An attempt nobody watches: the handler runs in the caller's context. */
export const UNWATCHED_ATTEMPT: AttemptObserver = {
  wrap: (fn) => fn(),
  end: () => {},
};
