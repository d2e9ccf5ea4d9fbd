// Public API of @tickwise/toad-scheduler: run existing toad-scheduler jobs on a Tickwise Scheduler.

export { ToadJobError, type ToadJobErrorCode } from './errors.js';
export type { ToadJobOptions } from './options.js';
export { addToadJob, type FromToadSchedulerOptions, fromToadScheduler } from './register.js';
