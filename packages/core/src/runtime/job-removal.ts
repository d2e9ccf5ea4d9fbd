// scheduler.remove(name): takes a job out while the scheduler runs. No tick of it starts after the
// call; a run in progress is waited for (default) or cancelled; the name is free again once the
// returned promise has resolved.

import { RunCancelledError } from './errors.js';
import type { SkipReason } from './events.js';
import type { JobState } from './job-state.js';

export interface RemoveOptions {
  /**
   * Abort the running run's signal (`RunCancelledError`, reason `removed`) instead of letting it
   * finish; its claim is released, so a replica that still has the job may take the tick over.
   * Default false: the run finishes and its completion is recorded as usual.
   */
  cancel?: boolean;
}

export interface RemoveResult {
  /** The run's handler ignored its aborted signal and had not returned when remove() resolved. */
  handlerStillRunning: boolean;
}

/**
 * Drains a job that is no longer registered: ticks waiting in its overlap buffer are skipped
 * (reason `removed`); runs still waiting for their claim never start their handler; a running
 * run is cancelled or waited for. Resolves when every run of the job has ended.
 */
export async function drainRemovedJob(
  job: JobState,
  options: RemoveOptions,
  skip: (job: JobState, tick: number, reason: SkipReason) => void,
): Promise<RemoveResult> {
  for (const waiting of job.buffer?.splice(0) ?? []) skip(job, waiting.tick, 'removed');
  for (const run of job.active ?? []) {
    if (options.cancel === true || !run.claimed) run.abort.abort(new RunCancelledError(job.info.name, 'removed'));
  }
  while (job.active) await Promise.allSettled(job.active.map((run) => run.done));
  return { handlerStillRunning: job.strayHandlers > 0 };
}
