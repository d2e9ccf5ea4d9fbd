// every(): fixed-interval ticks at anchor + k * interval, so every replica computes the same ticks
// and there is no drift from timer lateness.

import { MAX_TIME_MS } from './calendar.js';
import { errorDiagnostic, ScheduleCode } from './diagnostics.js';
import { durationInWords, formatDuration, parseDuration } from './duration.js';
import { collectNextRuns, type Schedule } from './schedule.js';
import { ScheduleError, throwOnErrors, validTime } from './schedule-error.js';
import { checkEveryOptions } from './schedule-options.js';

export interface EveryOptions {
  /** A tick of the series; default the Unix epoch. Ticks fall at anchor + k * interval for every integer k. */
  anchor?: Date;
}

/** An interval schedule. Construct with `every()`. */
export class EverySchedule implements Schedule {
  readonly kind = 'every' as const;
  readonly timezone = 'UTC';
  /** The interval in milliseconds (may exceed 2^31-1). */
  readonly intervalMs: number;
  readonly anchor: Date;
  private readonly text: string;

  constructor(intervalMs: number, anchor: Date, text: string) {
    this.intervalMs = intervalMs;
    this.anchor = anchor;
    this.text = text;
  }

  /** The first tick strictly after `after`, or null past the end of representable time. Throws InvalidDateError for an Invalid Date. */
  next(after: Date): Date | null {
    const ms = this.nextMs(validTime(after, 'next()'));
    return Number.isNaN(ms) ? null : new Date(ms);
  }

  /** next() on epoch milliseconds; NaN past the end of representable time. */
  nextMs(afterMs: number): number {
    const anchor = this.anchor.getTime();
    const interval = this.intervalMs;
    let tick = anchor + (Math.floor((afterMs - anchor) / interval) + 1) * interval;
    // Guard against floating-point rounding at large magnitudes.
    while (tick <= afterMs) tick += interval;
    while (tick - interval > afterMs) tick -= interval;
    return Math.abs(tick) <= MAX_TIME_MS ? tick : Number.NaN;
  }

  nextRuns(count: number, after: Date): Date[] {
    validTime(after, 'nextRuns()');
    return collectNextRuns(this, count, after);
  }

  previous(before: Date): Date | null {
    const beforeMs = validTime(before, 'previous()');
    const anchor = this.anchor.getTime();
    const interval = this.intervalMs;
    let tick = anchor + (Math.ceil((beforeMs - anchor) / interval) - 1) * interval;
    while (tick >= beforeMs) tick -= interval;
    while (tick + interval < beforeMs) tick += interval;
    return Math.abs(tick) <= MAX_TIME_MS ? new Date(tick) : null;
  }

  describe(): string {
    return `Every ${durationInWords(this.intervalMs)}`;
  }

  toString(): string {
    return this.text;
  }
}

/**
 * Runs every `duration`: a string such as '90s', '5m', '1h30m', '2d', or milliseconds.
 * Throws a ScheduleError when the duration does not parse or is not positive.
 */
export function every(duration: string | number, options: EveryOptions = {}): EverySchedule {
  checkEveryOptions(duration, options);
  const parsed = parseDuration(duration);
  const text = String(duration);
  throwOnErrors(text, parsed.diagnostics);
  const anchor = options.anchor ?? new Date(0);
  if (!(anchor instanceof Date) || Number.isNaN(anchor.getTime())) {
    throw new ScheduleError(text, [
      errorDiagnostic(ScheduleCode.BadDate, 'every(): anchor is not a valid Date', 0, text.length),
    ]);
  }
  return new EverySchedule(parsed.ms, anchor, typeof duration === 'number' ? formatDuration(duration) : text.trim());
}
