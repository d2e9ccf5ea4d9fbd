// '@tickwise/core/options': the job option types and the checks registration applies, with no
// runtime code, for tools that read options from source (the analyzer, the editor extension).

export {
  type CatchUpOptions,
  type CatchUpPolicy,
  checkJobOptions,
  type Duration,
  type ExpectOptions,
  JobOptionError,
  type JobOptions,
  type OptionProblem,
  type OverlapPolicy,
  type RetryOptions,
} from './job-options.js';
export { checkSchedulerOptions, SchedulerOptionError } from './scheduler-options.js';
