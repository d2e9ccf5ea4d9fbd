// Public API of @tickwise/core: what a service author needs to define, run and watch jobs. The
// rest lives at subpaths: '@tickwise/core/schedule' (the schedule model alone, with its parsing
// helpers and diagnostic codes), '@tickwise/core/options' (option checks for tools),
// '@tickwise/core/testing' (VirtualClock, resetCaches), '@tickwise/core/telemetry' (attribute and
// metric names, histogram buckets, for dashboards), '@tickwise/core/store' (the claim store
// contract, for store authors) and '@tickwise/core/store-tests' (the contract's test kit).
// api/core.api.md lists every export of each entry point; a test keeps it and the code in step.

export { JobOptionError, SchedulerOptionError } from './options/index.js';
export type { Clock, TimerHandle } from './runtime/clock.js';
export type { CompletionStatus } from './runtime/completion.js';
export {
  type ConfigReference,
  Cron,
  Every,
  Job,
  type JobMethod,
  type JobMethodDecorator,
} from './runtime/decorators.js';
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
} from './runtime/errors.js';
export type {
  AttemptFailureEvent,
  JobControlEvent,
  RunFailureEvent,
  RunStartEvent,
  RunSuccessEvent,
  SchedulerEventName,
  SchedulerEvents,
  SchedulerListener,
  SkipReason,
  TickSkippedEvent,
} from './runtime/events.js';
export { Fleet, type FleetOptions, type PauseOptions } from './runtime/fleet.js';
export type {
  FleetHealth,
  FleetJob,
  FleetPause,
  FleetReplica,
  FleetRun,
  FleetStatusOptions,
  Percentiles,
  Regression,
  VersionFigures,
} from './runtime/fleet-status.js';
export type { PauseRecord, TriggerRecord } from './runtime/fleet-store.js';
export type { HealthOptions, HealthSnapshot, HealthStatus, JobHealth, StoreHealth } from './runtime/health.js';
export {
  createHealthHandler,
  type HealthHandlerOptions,
  type HealthRequest,
  type HealthResponse,
  type JobsAccess,
} from './runtime/health-handler.js';
export type { JobDefinition, JobHandler, JobInfo, RunContext, RunTrigger } from './runtime/job.js';
export type {
  CatchUpOptions,
  CatchUpPolicy,
  Duration,
  ExpectOptions,
  JobOptions,
  OverlapPolicy,
  RetryOptions,
} from './runtime/job-options.js';
export { type ConfigReader, hasDecoratedJobs } from './runtime/job-registry.js';
export type { Logger } from './runtime/logger.js';
export { MemoryStore, type MemoryStoreOptions } from './runtime/memory-store.js';
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
} from './runtime/scheduler.js';
export type { ClaimStore, RunOutcome } from './runtime/store.js';
export {
  type AtSchedule,
  at,
  type CronOptions,
  type CronSchedule,
  cron,
  type DayMatch,
  type DstNote,
  type EveryOptions,
  type EverySchedule,
  every,
  InvalidDateError,
  isKnownTimeZone,
  type Schedule,
  type ScheduleCode,
  type ScheduleDiagnostic,
  ScheduleError,
  type ScheduleKind,
  type ValidateOptions,
  validateSchedule,
} from './schedule/index.js';
export { type ErrorDetail, redactError, redactSecrets, type TelemetryOptions } from './telemetry/index.js';
