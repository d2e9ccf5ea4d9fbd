// A registered job and what the scheduler knows of its runs: in progress, waiting, and the last.

import type { AbortSource } from './abort-source.js';
import type { SkipReason } from './events.js';
import type { PauseRecord } from './fleet-store.js';
import type { RunTrigger } from './job.js';
import type { BuiltJob } from './job-registry.js';
import type { RunOutcome } from './store.js';
import type { QueueEntry } from './timer-queue.js';

/** What a run (or a trigger() call) came to. */
export interface RunResult {
  outcome: RunOutcome | 'skipped';
  reason?: SkipReason;
  error?: unknown;
}

/** A run claimed under another name than its job's (the runOnStart claim). */
export interface ClaimOverride {
  job: string;
  retainMs: number;
}

export interface ActiveRun {
  abort: AbortSource;
  tick: number;
  /** The run's promise: settles once the run is over and cleaned up. */
  done: Promise<RunResult> | null;
  /** Called after each renewal of the run's lease (its trace records it). */
  leaseRenewed: (() => void) | null;
  /** Past its claim (or a manual run, which needs none): the handler runs or is about to. */
  claimed: boolean;
  /** The handler has returned; its outcome is being written to the store (the claim is still held). */
  recording: boolean;
  /** When the run's first attempt started (NaN before): health sees a run that is already slow. */
  startedAt: number;
  /** Claimed under this name instead of the job's (null: the job's own). */
  claimAs: ClaimOverride | null;
}

/** A tick that waits for the current run to end. */
export interface WaitingTick {
  tick: number;
  trigger: RunTrigger;
}

/** The latest run as snapshots and health report it. */
export interface LastRunSnapshot {
  tick: Date;
  outcome: RunOutcome;
  durationMs: number;
  finishedAt: Date;
  trigger: RunTrigger;
  /** Present (true) when the run took longer than the job's `expect.duration`. */
  slow?: true;
}

/**
 * A job's latest run, overwritten in place by the next one: times are kept as numbers and turned
 * into Dates only when a snapshot asks, so finishing a run allocates nothing here (a burst of
 * 100,000 runs otherwise kept 100,000 objects and 200,000 Dates alive).
 */
export class LastRun {
  tick = 0;
  durationMs = 0;
  finishedAt = 0;
  outcome: RunOutcome = 'success';
  trigger: RunTrigger = 'schedule';
  slow = false;

  snapshot(): LastRunSnapshot {
    return {
      tick: new Date(this.tick),
      outcome: this.outcome,
      durationMs: this.durationMs,
      finishedAt: new Date(this.finishedAt),
      trigger: this.trigger,
      ...(this.slow && { slow: true as const }),
    };
  }
}

/** A registered job and its run state. A class, so every job has the same shape (fast, small). */
export class JobState implements BuiltJob {
  readonly info: BuiltJob['info'];
  readonly functionName: string;
  readonly schedule: BuiltJob['schedule'];
  readonly options: BuiltJob['options'];
  readonly run: BuiltJob['run'];
  /** Registration order: jobs due at the same instant start in this order (rotated per replica when several share a store: TickQueue). */
  readonly order: number;
  readonly disabledReason: string | null;
  /** Paused on this replica by scheduler.pause(). */
  localPaused = false;
  /** Paused for the whole fleet (fleet controls: CLI, web page, editor); null when not. */
  fleetPause: PauseRecord | null = null;
  /** Its next tick's entry in the timer queue (TickQueue); null while none is queued. */
  entry: QueueEntry<JobState> | null = null;
  /** The next tick to fire (NaN when the schedule has ended). */
  nextTick = Number.NaN;
  /** The latest tick handled (run or skipped): a tick at or before it is never handled again. */
  lastTick = Number.NEGATIVE_INFINITY;
  /** Runs in progress; allocated on first run (most jobs are idle most of the time). */
  active: ActiveRun[] | null = null;
  /** Ticks waiting for the current run to end (buffer policies, and catch-up runs, which go one at a time). */
  buffer: WaitingTick[] | null = null;
  strayHandlers = 0;
  /** Allocated by the first run, then updated in place. */
  lastRun: LastRun | null = null;
  lastSuccess: number | undefined = undefined;
  /** The tick of the last success: health counts overdue ticks from it. */
  lastSuccessTick: number | undefined = undefined;
  consecutiveFailures = 0;

  constructor(job: BuiltJob, order: number, disabledReason: string | null) {
    this.info = job.info;
    this.functionName = job.functionName;
    this.schedule = job.schedule;
    this.options = job.options;
    this.run = job.run;
    this.order = order;
    this.disabledReason = disabledReason;
  }

  /** Runs from the gate to their end, claims in flight included. */
  get activeCount(): number {
    return this.active?.length ?? 0;
  }

  /** Its ticks are skipped (reason `paused`): paused here, or for the fleet. */
  get paused(): boolean {
    return this.localPaused || this.fleetPause !== null;
  }

  /**
   * Runs past their claim. A run still waiting for its claim does not block the next tick: the
   * store decides between the two (an exclusive claim is refused while another tick holds a live
   * lease), so a slow store shows up as store-slow, not as overlap.
   */
  get runningCount(): number {
    let count = 0;
    if (this.active) for (const run of this.active) if (run.claimed) count++;
    return count;
  }

  /**
   * True when every run past its claim has returned and only waits for the store to record it: a
   * tick blocked now waits on the store, not on the job (reported as store-slow, not overlap).
   */
  get onlyRecording(): boolean {
    let claimed = 0;
    if (this.active) {
      for (const run of this.active) {
        if (!run.claimed) continue;
        if (!run.recording) return false;
        claimed++;
      }
    }
    return claimed > 0;
  }

  /** How long the longest run still in its handler has been going, ms (0 when none). */
  runningForMs(now: number): number {
    let longest = 0;
    if (this.active) {
      for (const run of this.active) {
        if (run.claimed && !run.recording && run.startedAt <= now) longest = Math.max(longest, now - run.startedAt);
      }
    }
    return longest;
  }

  /** Records a finished run. */
  finished(
    tick: number,
    outcome: RunOutcome,
    durationMs: number,
    finishedAt: number,
    trigger: RunTrigger,
    slow = false,
  ): void {
    this.lastRun ??= new LastRun();
    const last = this.lastRun;
    last.slow = slow;
    last.tick = tick;
    last.outcome = outcome;
    last.durationMs = durationMs;
    last.finishedAt = finishedAt;
    last.trigger = trigger;
    if (outcome === 'success') {
      this.lastSuccess = finishedAt;
      this.lastSuccessTick = tick;
      this.consecutiveFailures = 0;
    } else {
      this.consecutiveFailures++;
    }
  }

  /** Adds ticks that wait for the current run to end. */
  enqueue(...waiting: WaitingTick[]): void {
    if (this.buffer) this.buffer.push(...waiting);
    else this.buffer = waiting;
  }

  addActive(run: ActiveRun): void {
    if (this.active) this.active.push(run);
    else this.active = [run];
  }

  /** Drops a finished run; the array goes when the last run does (idle jobs hold nothing). */
  removeActive(run: ActiveRun): void {
    const index = this.active?.indexOf(run) ?? -1;
    if (index >= 0) this.active?.splice(index, 1);
    if (this.active?.length === 0) this.active = null;
  }
}
