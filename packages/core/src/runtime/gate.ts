// Step 3 of a tick, the gate: whether a due tick starts a run now, waits in the job's buffer for
// the run before it, or is skipped (disabled, paused, shutting down, overlap), and why. When a
// job's last run ends, the oldest waiting tick goes through the gate again.

import { RunCancelledError } from './errors.js';
import type { SkipReason } from './events.js';
import type { RunTrigger } from './job.js';
import type { JobState, RunResult } from './job-state.js';
import type { Lifecycle } from './lifecycle.js';
import type { RunReport } from './run-report.js';

/** How many ticks `buffer-all` keeps waiting at most; more are skipped as `buffer-full`. */
export const BUFFER_LIMIT = 1000;

export class Gate {
  constructor(
    private readonly lifecycle: Pick<Lifecycle, 'running' | 'shuttingDown'>,
    private readonly report: Pick<RunReport, 'skip'>,
    /** Starts a run of the tick (claim, attempts, completion): the tick passed. */
    private readonly start: (job: JobState, tick: number, trigger: RunTrigger) => void,
  ) {}

  /** A tick that came due: disabled, paused, shutting down, or overlapping — or on to the claim. */
  pass(job: JobState, tick: number, trigger: RunTrigger): void {
    if (job.disabledReason) {
      this.report.skip(job, tick, 'disabled');
      return;
    }
    if (job.paused) {
      this.report.skip(job, tick, 'paused');
      return;
    }
    if (!this.lifecycle.running) {
      this.report.skip(job, tick, 'shutdown');
      return;
    }
    if (job.runningCount > 0) {
      // A previous run that has returned but whose outcome the store has not yet confirmed blocks the
      // tick too (its record still holds the job), but then the store is what the tick waits for.
      const blockedBy: SkipReason = job.onlyRecording ? 'store-slow' : 'overlap';
      switch (job.options.overlap) {
        case 'skip': {
          this.report.skip(job, tick, blockedBy);
          return;
        }
        case 'buffer-one':
          if ((job.buffer?.length ?? 0) > 0) {
            this.report.skip(job, tick, blockedBy);
            return;
          }
          job.enqueue({ tick, trigger });
          return;
        case 'buffer-all':
          if ((job.buffer?.length ?? 0) >= BUFFER_LIMIT) {
            this.report.skip(job, tick, 'buffer-full');
            return;
          }
          job.enqueue({ tick, trigger });
          return;
        case 'cancel-other':
          cancelActive(job);
          break;
        case 'allow':
          break;
      }
    }
    this.start(job, tick, trigger);
  }

  /** After a run of the job ended: once none is left, the oldest waiting tick goes through the gate. */
  drain(job: JobState): void {
    if (job.activeCount > 0) return;
    const waiting = job.buffer?.shift();
    if (!waiting) return;
    const { tick, trigger } = waiting;
    if (!this.lifecycle.running) {
      this.report.skip(job, tick, 'shutdown');
      return;
    }
    this.pass(job, tick, trigger);
  }

  /**
   * trigger()'s gate, for a run outside the schedule: refused once stop() was called, for a
   * disabled job, and by the overlap policy (`skip` and the buffer policies do not start a job
   * that is running; `cancel-other` cancels it). Null: run it. Not reported as a skipped tick.
   */
  manual(job: JobState): RunResult | null {
    if (this.lifecycle.shuttingDown) return { outcome: 'skipped', reason: 'shutdown' };
    if (job.disabledReason) return { outcome: 'skipped', reason: 'disabled' };
    if (job.runningCount > 0) {
      if (job.options.overlap === 'cancel-other') cancelActive(job);
      else if (job.options.overlap !== 'allow') return { outcome: 'skipped', reason: 'overlap' };
    }
    return null;
  }
}

/** overlap: cancel-other — every run of the job in progress gets its signal aborted. */
function cancelActive(job: JobState): void {
  for (const run of job.active ?? []) run.abort.abort(new RunCancelledError(job.info.name, 'cancel-other'));
}
