// The TickwiseError family: every error the runtime raises has a stable `code` and, where it
// concerns a job, the job's name in `job` and in the message.

export type TickwiseErrorCode =
  | 'DUPLICATE_JOB'
  | 'DUPLICATE_INSTANCE'
  | 'INVALID_JOB_NAME'
  | 'INVALID_SCHEDULE'
  | 'UNKNOWN_OPTION'
  | 'INVALID_OPTION'
  | 'NOT_A_METHOD'
  | 'UNKNOWN_JOB'
  | 'SCHEDULER_STATE'
  | 'JOB_TIMEOUT'
  | 'RUN_CANCELLED'
  | 'LEASE_LOST'
  | 'UNEXPECTED_RESULT'
  | 'STORE_UNAVAILABLE'
  | 'STORE_CONFIG'
  | 'STORE_AUTH'
  | 'STORE_SCHEMA'
  | 'FLEET_UNSUPPORTED';

export class TickwiseError extends Error {
  override name = 'TickwiseError';
  readonly code: TickwiseErrorCode;
  /** The job the error is about, when there is one. */
  readonly job: string | undefined;

  constructor(code: TickwiseErrorCode, message: string, options: { job?: string; cause?: unknown } = {}) {
    super(options.job ? `Job '${options.job}': ${message}` : message, { cause: options.cause });
    this.code = code;
    this.job = options.job;
  }
}

/** A job definition that cannot be registered: raised by add()/register(), never at run time. */
export class JobDefinitionError extends TickwiseError {
  override name = 'JobDefinitionError';
}

/** The attempt ran past its `timeout`; its signal was aborted. */
export class JobTimeoutError extends TickwiseError {
  override name = 'JobTimeoutError';
  constructor(job: string, timeoutMs: number) {
    super('JOB_TIMEOUT', `attempt timed out after ${timeoutMs} ms`, { job });
  }
}

/**
 * The handler returned, but its result failed the job's `expect.result` check: the run's outcome
 * is `unexpected` (reported like a failure, never retried). `reason` is what the check returned,
 * or why it threw.
 */
export class UnexpectedResultError extends TickwiseError {
  override name = 'UnexpectedResultError';
  readonly reason: string;
  constructor(job: string, reason: string, options: { cause?: unknown } = {}) {
    super('UNEXPECTED_RESULT', `unexpected result: ${reason}`, { job, ...options });
    this.reason = reason;
  }
}

/** Why a run's signal was aborted other than a timeout (`removed`: scheduler.remove(name, { cancel: true })). */
export type CancelReason = 'shutdown' | 'cancel-other' | 'lease-lost' | 'removed';

export class RunCancelledError extends TickwiseError {
  override name = 'RunCancelledError';
  readonly reason: CancelReason;
  constructor(job: string, reason: CancelReason, detail?: string) {
    const why = {
      shutdown: 'the scheduler is shutting down',
      'cancel-other': 'a newer tick started (overlap: cancel-other)',
      'lease-lost': 'the claim lease was lost, so another replica may take this tick over',
      removed: 'the job was removed (scheduler.remove)',
    }[reason];
    super(
      reason === 'lease-lost' ? 'LEASE_LOST' : 'RUN_CANCELLED',
      `run cancelled: ${why}${detail ? ` (${detail})` : ''}`,
      {
        job,
      },
    );
    this.reason = reason;
  }
}

/** Whether `error` (a run's abort reason) is a RunCancelledError for `reason`. */
export function isCancelledFor(error: unknown, reason: CancelReason): boolean {
  return error instanceof RunCancelledError && error.reason === reason;
}

/**
 * Throw from a handler to stop retrying: the run fails at once with the wrapped cause.
 * (p-retry's AbortError works the same way.)
 */
export class NonRetryableError extends Error {
  override name = 'NonRetryableError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

/**
 * A claim store that cannot work as configured: a bad URL or prefix (STORE_CONFIG), rejected
 * credentials (STORE_AUTH), a missing table (STORE_SCHEMA), or no server (STORE_UNAVAILABLE).
 * Raised by Scheduler.start() (through store.init()), not at the first tick.
 */
export class StoreError extends TickwiseError {
  override name = 'StoreError';
}
