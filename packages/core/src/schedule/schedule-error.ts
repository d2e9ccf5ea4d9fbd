// The error thrown by cron(), every() and at() on input that validateSchedule reports as an error.

import type { ScheduleCode, ScheduleDiagnostic } from './diagnostics.js';

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
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new ScheduleError(text, errors);
}
