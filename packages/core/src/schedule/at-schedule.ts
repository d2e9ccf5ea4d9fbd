// at(): a one-shot schedule.

import { errorDiagnostic, ScheduleCode, type ScheduleDiagnostic } from './diagnostics.js';
import { collectNextRuns, type Schedule } from './schedule.js';
import { throwOnErrors, validTime } from './schedule-error.js';

/** A one-shot schedule. Construct with `at()`. */
export class AtSchedule implements Schedule {
  readonly kind = 'at' as const;
  readonly timezone = 'UTC';
  readonly date: Date;

  constructor(date: Date) {
    this.date = date;
  }

  next(after: Date): Date | null {
    return this.date.getTime() > validTime(after, 'next()') ? new Date(this.date) : null;
  }

  nextRuns(count: number, after: Date): Date[] {
    validTime(after, 'nextRuns()');
    return collectNextRuns(this, count, after);
  }

  previous(before: Date): Date | null {
    return this.date.getTime() < validTime(before, 'previous()') ? new Date(this.date) : null;
  }

  describe(): string {
    return `Once, at ${this.date.toISOString()}`;
  }

  toString(): string {
    return this.date.toISOString();
  }
}

// A string date must say which instant it means: without Z or an offset it would depend on the
// time zone of the machine that reads it.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Checks an `at()` date string; returns the parsed time (NaN on error) and diagnostics. */
export function parseAtDate(text: string): { ms: number; diagnostics: ScheduleDiagnostic[] } {
  const trimmed = text.trim();
  const start = text.length - text.trimStart().length;
  const fail = (message: string) => ({
    ms: Number.NaN,
    diagnostics: [errorDiagnostic(ScheduleCode.BadDate, message, start, start + trimmed.length)],
  });
  if (!ISO_WITH_ZONE.test(trimmed)) {
    return fail(`'${trimmed}' is not an ISO 8601 date-time with Z or an offset (e.g. 2026-12-01T09:00:00Z)`);
  }
  const ms = Date.parse(trimmed);
  if (Number.isNaN(ms)) return fail(`'${trimmed}' is not a real date`);
  return { ms, diagnostics: [] };
}

/** Runs once, at `date` (a Date, or an ISO 8601 string with Z or an offset). */
export function at(date: Date | string): AtSchedule {
  if (date instanceof Date) {
    if (Number.isNaN(date.getTime())) throwOnErrors('Invalid Date', parseAtDate('Invalid Date').diagnostics);
    return new AtSchedule(new Date(date));
  }
  const text = String(date);
  const parsed = parseAtDate(text);
  throwOnErrors(text, parsed.diagnostics);
  return new AtSchedule(new Date(parsed.ms));
}
