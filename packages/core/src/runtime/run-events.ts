// The scheduler's events as a RunObserver: run:start, attempt:failure, run:success, run:failure
// and tick:skipped, each built only when someone listens (run:failure always: it is rare, and
// EventHub.emit() finds no listener cheaply). Keeps nothing per run: it is its own observation.

import type { AttemptObserver } from './attempts.js';
import type { EventHub, RunEventBase } from './events.js';
import type { AttemptFailure, ObservedRun, RunEnd, RunObservation, RunObserver, SkippedTick } from './run-observer.js';

export class RunEvents implements RunObserver, RunObservation {
  readonly timesClaims = false;

  constructor(
    private readonly events: EventHub,
    private readonly instanceId: string,
  ) {}

  tickSkipped(skip: SkippedTick): void {
    if (!this.events.has('tick:skipped')) return;
    this.events.emit('tick:skipped', {
      job: skip.job,
      tick: new Date(skip.tick),
      reason: skip.reason,
      count: skip.count,
      instanceId: this.instanceId,
    });
  }

  claimAnswered(): void {}

  runStarted(run: ObservedRun): RunObservation {
    if (this.events.has('run:start')) {
      this.events.emit('run:start', {
        ...baseOf(run),
        startedAt: new Date(run.startedAt),
        latenessMs: run.startedAt - run.tick,
      });
    }
    return this;
  }

  leaseRenewed(): void {}

  attemptStarted(): AttemptObserver | undefined {
    return undefined;
  }

  attemptFailed(run: ObservedRun, failure: AttemptFailure): void {
    if (this.events.has('attempt:failure')) this.events.emit('attempt:failure', { ...baseOf(run), ...failure });
  }

  strayReturned(): void {}

  completionUnrecorded(): void {}

  runEnded(run: ObservedRun, end: RunEnd): void {
    const { outcome, durationMs, attempts, completion, slow } = end;
    if (outcome === 'success') {
      if (this.events.has('run:success')) {
        this.events.emit('run:success', { ...baseOf(run), durationMs, attempts, completion, ...(slow && { slow }) });
      }
      return;
    }
    this.events.emit('run:failure', {
      ...baseOf(run),
      outcome,
      error: end.error,
      durationMs,
      attempts,
      handlerStillRunning: end.handlerStillRunning,
      completion,
      ...(slow && { slow }),
    });
  }
}

/** The fields every event of the run shares. */
function baseOf(run: ObservedRun): RunEventBase {
  return {
    job: run.job,
    tick: run.scheduledAt,
    trigger: run.trigger,
    runId: run.runId,
    fence: run.fence,
    instanceId: run.instanceId,
  };
}
