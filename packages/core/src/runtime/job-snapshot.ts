// The jobs() projection: each job's definition with its state, as plain data.

import { expectationOf, type JobHealth } from './health.js';
import type { JobInfo } from './job.js';
import type { JobState, LastRunSnapshot } from './job-state.js';

export interface JobSnapshot extends Omit<JobInfo, 'toJSON'> {
  enabled: boolean;
  /** Why the job is disabled, when it is. */
  disabledReason?: string;
  paused: boolean;
  nextRun: Date | null;
  running: number;
  /** Handlers that outlived their aborted signal (timeout, shutdown) and have not returned. */
  strayHandlers: number;
  lastRun?: LastRunSnapshot;
  lastSuccess?: Date;
  consecutiveFailures: number;
  /** The job's `expect` option (durations in ms; `result`: a result check is set). */
  expect?: JobHealth['expect'];
}

/** `nextRun`: the queued next tick (TickQueue.nextRun). */
export function jobSnapshot(job: JobState, nextRun: Date | null): JobSnapshot {
  return {
    ...job.info.toJSON(),
    enabled: job.disabledReason === null,
    ...(job.disabledReason !== null && { disabledReason: job.disabledReason }),
    paused: job.paused,
    nextRun,
    running: job.runningCount,
    strayHandlers: job.strayHandlers,
    ...(job.lastRun && { lastRun: job.lastRun.snapshot() }),
    ...(job.options.expect && { expect: expectationOf(job.options.expect) }),
    ...(job.lastSuccess !== undefined && { lastSuccess: new Date(job.lastSuccess) }),
    consecutiveFailures: job.consecutiveFailures,
  };
}
