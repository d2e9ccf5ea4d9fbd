// Span and metric attribute names, in one place. Our own namespace `tickwise.*`, plus the standard
// `code.function.name` and `error.type`. Nothing from handler arguments or the environment.

export const ATTR_JOB_NAME = 'tickwise.job.name';
export const ATTR_JOB_SCHEDULE = 'tickwise.job.schedule';
export const ATTR_JOB_TIMEZONE = 'tickwise.job.timezone';
export const ATTR_JOB_OWNER = 'tickwise.job.owner';
export const ATTR_TICK_SCHEDULED_TIME = 'tickwise.tick.scheduled_time';
export const ATTR_RUN_LATENESS_MS = 'tickwise.run.lateness_ms';
export const ATTR_RUN_ATTEMPT = 'tickwise.run.attempt';
/** `success`, `failure`, `timeout`, `cancelled` or `unexpected` (the result failed `expect.result`). */
export const ATTR_RUN_OUTCOME = 'tickwise.run.outcome';
/** `schedule`, `manual` or `catch-up`. */
export const ATTR_RUN_TRIGGER = 'tickwise.run.trigger';
/** Set (true) on a run that took longer than the job's `expect.duration`. */
export const ATTR_RUN_SLOW = 'tickwise.run.slow';
/** Which expectation a run missed: `slow` (expect.duration) or `unexpected` (expect.result). */
export const ATTR_EXPECTATION_MISSED = 'tickwise.expectation.missed';
export const ATTR_CLAIM_FENCE = 'tickwise.claim.fence';
export const ATTR_INSTANCE_ID = 'tickwise.instance.id';
/** Why a tick did not run: overlap, claimed-elsewhere, completed, disabled, paused, store-unavailable, store-slow, missed, shutdown, buffer-full. */
export const ATTR_SKIP_REASON = 'tickwise.skip.reason';
/** How many ticks a skip stands for (missed ticks are reported together). */
export const ATTR_SKIP_COUNT = 'tickwise.skip.count';
/** Why a run was cancelled: shutdown, cancel-other, lease-lost. */
export const ATTR_CANCEL_REASON = 'tickwise.cancel.reason';
/** Whether a claim was acquired: `acquired`, a refusal reason, `timeout` or `error`. */
export const ATTR_CLAIM_RESULT = 'tickwise.claim.result';
/** What became of the run's claim: recorded, rejected, unrecorded, released or none. */
export const ATTR_CLAIM_COMPLETION = 'tickwise.claim.completion';
export const ATTR_CODE_FUNCTION_NAME = 'code.function.name';
export const ATTR_ERROR_TYPE = 'error.type';

export const METRIC_JOB_RUNS = 'tickwise.job.runs';
export const METRIC_JOB_DURATION = 'tickwise.job.duration';
export const METRIC_JOB_LATENESS = 'tickwise.job.lateness';
export const METRIC_JOB_SKIPPED = 'tickwise.job.skipped';
export const METRIC_JOB_ACTIVE = 'tickwise.job.active';
export const METRIC_JOB_LAST_SUCCESS = 'tickwise.job.last_success';
export const METRIC_CLAIM_DURATION = 'tickwise.claim.duration';
/** Runs that missed their job's expectation, by job and `tickwise.expectation.missed`. */
export const METRIC_JOB_EXPECTATION_MISSED = 'tickwise.job.expectation_missed';
/** The store's clock minus this replica's, seconds (claims go by the store's clock). */
export const METRIC_STORE_CLOCK_OFFSET = 'tickwise.store.clock_offset';

export const EVENT_LEASE_RENEWED = 'tickwise.lease.renewed';
export const EVENT_TIMEOUT = 'tickwise.timeout';
export const EVENT_CANCELLED = 'tickwise.cancelled';
