// The error thrown by cron(), every() and at() on input that validateSchedule reports as an error.

import { type ScheduleCode, type ScheduleDiagnostic, visibleRange } from './diagnostics.js';

/**
 * A schedule that cannot run. `start`/`end` are character offsets into `text` (the same range an
 * editor underlines); `diagnostics` holds every error found, the first of which is the message.
 */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  readonly code: ScheduleCode;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly diagnostics: readonly ScheduleDiagnostic[];

  constructor(text: string, diagnostics: readonly ScheduleDiagnostic[]) {
    const first = diagnostics[0];
    if (!first) throw new TypeError('ScheduleError needs at least one diagnostic');
    super(`Invalid schedule '${text}': ${first.message}`);
    this.code = first.code;
    this.start = first.start;
    this.end = first.end;
    this.text = text;
    this.diagnostics = diagnostics;
  }
}

/** Throws a ScheduleError when the diagnostics contain an error. */
export function throwOnErrors(text: string, diagnostics: readonly ScheduleDiagnostic[]): void {
  const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => visibleRange(d, text.length));
  if (errors.length > 0) throw new ScheduleError(text, errors);
}

/**
 * A schedule was asked about an Invalid Date (`new Date(NaN)`): next(), nextRuns(), previous() and
 * dstNotes() throw this rather than answer null, which would read as "the schedule has ended" and
 * quietly stop a job. A RangeError, as Date methods throw for invalid dates.
 */
export class InvalidDateError extends RangeError {
  override readonly name = 'InvalidDateError';
  readonly code = 'INVALID_DATE' as const;

  constructor(method: string) {
    super(`${method}: the date is an Invalid Date (its time is NaN); pass a valid Date`);
  }
}

/** The date's time in ms, or an InvalidDateError naming the method. */
export function validTime(date: Date, method: string): number {
  const ms = typeof date?.getTime === 'function' ? date.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new InvalidDateError(method);
  return ms;
}
