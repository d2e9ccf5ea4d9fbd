// ToadJobError: why a toad-scheduler job cannot move to Tickwise, with a stable code and the job's name.

export type ToadJobErrorCode =
  /** The job has no id and no `name` was given: Tickwise needs a stable, unique name to claim its ticks. */
  | 'MISSING_JOB_ID'
  /** Another job (toad or Tickwise) already has this name on the scheduler. */
  | 'DUPLICATE_JOB'
  /** Not a SimpleIntervalJob, LongIntervalJob or CronJob with a Task or AsyncTask. */
  | 'UNSUPPORTED_JOB'
  /** Tickwise cannot read the schedule (a 7-field cron, a zero interval, …). */
  | 'UNSUPPORTED_SCHEDULE'
  /** toad-scheduler's croner rejects the cron expression too: the job could never have started there. */
  | 'INVALID_SCHEDULE'
  /** Tickwise would read the cron expression differently from toad-scheduler's croner. */
  | 'SCHEDULE_MISMATCH'
  /** The job was already moved to a Tickwise scheduler (and can no longer start under toad-scheduler). */
  | 'JOB_MOVED'
  /** fromToadScheduler() options name a job id the ToadScheduler does not have. */
  | 'UNKNOWN_JOB'
  /** An option that does not apply to toad jobs (timezone, dayMatch, anchor on a cron job, …). */
  | 'INVALID_OPTION'
  /** This toad-scheduler release keeps its jobs' fields elsewhere than 3.x/4.x did. */
  | 'INCOMPATIBLE_TOAD';

export class ToadJobError extends Error {
  override name = 'ToadJobError';
  readonly code: ToadJobErrorCode;
  /** The job the error is about: its Tickwise name, or a description when it has none. */
  readonly job: string | undefined;

  constructor(code: ToadJobErrorCode, message: string, options: { job?: string; cause?: unknown } = {}) {
    super(options.job ? `Job '${options.job}': ${message}` : message, { cause: options.cause });
    this.code = code;
    this.job = options.job;
  }
}
