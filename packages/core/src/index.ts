// Public API of @tickwise/core: the schedule model and the scheduler runtime.
// VirtualClock lives at '@tickwise/core/testing'; '@tickwise/core/schedule' is the model alone.

export { JobOptionError, SchedulerOptionError } from './options/index.js';
export type { JobMethod, JobMethodDecorator } from './runtime/decorators.js';
export * from './runtime/index.js';
export * from './schedule/index.js';
export * from './telemetry/index.js';
