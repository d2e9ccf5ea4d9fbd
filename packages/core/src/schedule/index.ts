// The schedule model: parse, validate, next runs, describe. Pure; shared by the runtime, the analyzer
// and the editor extension. Importing '@tickwise/core/schedule' pulls in no runtime code.

export { type AtSchedule, at } from './at-schedule.js';
export { type CronOptions, type CronSchedule, cron } from './cron-schedule.js';
export { ScheduleCode, type ScheduleDiagnostic } from './diagnostics.js';
export type { DstNote } from './dst-warnings.js';
export { DURATION_UNIT_MS, formatDuration, parseDuration } from './duration.js';
export { type EveryOptions, type EverySchedule, every } from './every-schedule.js';
export type { DayMatch } from './parse-cron.js';
export type { Schedule, ScheduleKind } from './schedule.js';
export { InvalidDateError, ScheduleError } from './schedule-error.js';
export { isKnownTimeZone } from './time-zone.js';
export { guessScheduleKind, type ValidateOptions, validateSchedule } from './validate.js';
