// @tickwise/nestjs: TickwiseModule (discovery, config-driven schedules, shutdown) and its options.
// The health indicator is at '@tickwise/nestjs/terminus'. Inject `Scheduler` from @tickwise/core.

export { TickwiseJobsExplorer } from './jobs-explorer.js';
export { nestLogger } from './nest-logger.js';
export {
  TICKWISE_OPTIONS,
  type TickwiseModuleAsyncOptions,
  type TickwiseModuleOptions,
  type TickwiseNestOnlyOptions,
} from './options.js';
export { TickwiseModule } from './tickwise.module.js';
