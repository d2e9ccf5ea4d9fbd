// The options a toad job can carry onto Tickwise, and their checks: Tickwise's own job options
// (checked exactly as scheduler.add() checks them) plus the few that only toad jobs have.

import { JobDefinitionError, type JobOptions, type Logger } from '@tickwise/core';
import { checkJobOptions } from '@tickwise/core/options';
import { ToadJobError } from './errors.js';

/** Per-job options: Tickwise's job options (the zone comes from the toad schedule) and these. */
export interface ToadJobOptions extends Omit<JobOptions, 'timezone' | 'dayMatch'> {
  /**
   * The Tickwise job name; default the toad job's id. Names key the claims in a shared store, so
   * they must be unique and the same on every replica.
   */
  name?: string;
  /**
   * Interval jobs: ticks fall at `anchor + k × interval`; default the Unix epoch, so every replica
   * computes the same ticks. Pass the instant the job started to tick as toad-scheduler did.
   */
  anchor?: Date;
  /**
   * Run once as soon as the scheduler has started (a manual run, on each replica that starts).
   * Default: the interval schedule's `runImmediately` (false for cron jobs).
   */
  runImmediately?: boolean;
  /** Where an error handler that throws (or rejects) is reported; default console.error. */
  logger?: Logger;
}

export interface SplitOptions {
  tickwise: JobOptions;
  anchor: Date | undefined;
  runImmediately: boolean | undefined;
  logger: Logger | undefined;
}

const NOT_FOR_TOAD: Record<string, string> = {
  timezone: "the time zone comes from the CronJob's schedule ({ cronExpression, timezone })",
  dayMatch: "toad-scheduler's croner decides how the day fields combine; the expression is checked against it",
};

/** Separates and checks the options; `cron` says whether the job is a CronJob. */
export function splitOptions(options: ToadJobOptions, job: string, isCron: boolean): SplitOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ToadJobError('INVALID_OPTION', 'options must be an object', { job });
  }
  const { anchor, runImmediately, logger, ...tickwise } = options;
  for (const key of Object.keys(NOT_FOR_TOAD)) {
    if (key in tickwise) throw new ToadJobError('INVALID_OPTION', `${key}: ${NOT_FOR_TOAD[key]}`, { job });
  }
  if (anchor !== undefined) {
    if (isCron) throw new ToadJobError('INVALID_OPTION', 'anchor applies to interval jobs only', { job });
    if (!(anchor instanceof Date) || Number.isNaN(anchor.getTime()))
      throw new ToadJobError('INVALID_OPTION', 'anchor must be a valid Date', { job });
  }
  if (runImmediately !== undefined && typeof runImmediately !== 'boolean') {
    throw new ToadJobError('INVALID_OPTION', 'runImmediately must be true or false', { job });
  }
  if (logger !== undefined && typeof logger?.error !== 'function') {
    throw new ToadJobError('INVALID_OPTION', 'logger must have an error(fields, message) method', { job });
  }
  const problem = checkJobOptions(tickwise as Record<string, unknown>);
  if (problem) throw new JobDefinitionError(problem.code, problem.message, { job });
  return { tickwise, anchor, runImmediately, logger };
}
