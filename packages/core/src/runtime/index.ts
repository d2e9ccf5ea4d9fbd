// The scheduler runtime: what a service imports to run jobs.

export { type Clock, SystemClock, type TimerHandle } from './clock.js';
export type { CompletionStatus } from './completion.js';
export { type ConfigReference, Cron, Every, Job } from './decorators.js';
export {
  type CancelReason,
  JobDefinitionError,
  JobTimeoutError,
  NonRetryableError,
  RunCancelledError,
  StoreError,
  TickwiseError,
  type TickwiseErrorCode,
  UnexpectedResultError,
} from './errors.js';
export type {
  AttemptFailureEvent,
  RunFailureEvent,
  RunStartEvent,
  RunSuccessEvent,
  SchedulerEventName,
  SchedulerEvents,
  SchedulerListener,
  SkipReason,
  TickSkippedEvent,
} from './events.js';
export type {
  HealthOptions,
  HealthSnapshot,
  HealthStatus,
  JobHealth,
  StoreHealth,
} from './health.js';
export {
  createHealthHandler,
  type HealthHandlerOptions,
  type HealthRequest,
  type HealthResponse,
  type JobsAccess,
} from './health-handler.js';
export type { JobDefinition, JobHandler, JobInfo, RunContext, RunTrigger } from './job.js';
export type {
  CatchUpOptions,
  CatchUpPolicy,
  Duration,
  ExpectOptions,
  JobOptions,
  OverlapPolicy,
  RetryOptions,
} from './job-options.js';
export { type ConfigReader, hasDecoratedJobs } from './job-registry.js';
export { DISABLED_JOBS_ENV } from './kill-switch.js';
export type { Logger } from './logger.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export {
  type JobSnapshot,
  type RegisterOptions,
  type RemoveOptions,
  type RemoveResult,
  type RunResult,
  Scheduler,
  type SchedulerOptions,
  type StopOptions,
  type StopResult,
} from './scheduler.js';
export type {
  BeatResult,
  ClaimBatch,
  ClaimRefusal,
  ClaimRequest,
  ClaimResult,
  ClaimStore,
  CompletionBatch,
  CompletionResult,
  HeldClaim,
  InstanceBeat,
  RenewalBatch,
  RunOutcome,
  StoreLimits,
} from './store.js';
