// cron(): a compiled pattern read in a time zone, with the DST policy documented in docs/schedules.md.

import { processCache } from './bounded-cache.js';
import { MAX_TIME_MS, MS_PER_SECOND } from './calendar.js';
import type { CronPattern } from './cron-pattern.js';
import { nextWallTime } from './cron-search.js';
import { describeCron } from './describe.js';
import { type DstNote, dstNotes } from './dst-warnings.js';
import type { DayMatch } from './parse-cron.js';
import { collectNextRuns, findPrevious, type Schedule } from './schedule.js';
import { InvalidDateError, throwOnErrors, validTime } from './schedule-error.js';
import { checkCronOptions } from './schedule-options.js';
import type { TimeZone } from './time-zone.js';
import { validateCronText } from './validate.js';

export interface CronOptions {
  /** IANA time zone the pattern is read in; default 'UTC'. Unknown names are an error. */
  timezone?: string;
  /**
   * How day-of-month and day-of-week combine when both are restricted: 'or' (default, as Vixie
   * cron and POSIX) or 'and'.
   */
  dayMatch?: DayMatch;
}

/**
 * The first matching instant >= fromMs, applying the DST rules:
 * 1. a wall time in a gap fires once, at the instant it would have had with the offset before the gap;
 * 2. a wall time repeated by a fall-back fires at its first occurrence only, unless the hour field
 *    is `*` or `*\/n`, in which case every real instant that matches fires.
 * Works one constant-offset period at a time, so inside a period local and UTC are a plain shift.
 */
export function nextInstant(pattern: CronPattern, zone: TimeZone, fromMs: number): number {
  if (zone.isUtc) return nextWallTime(pattern, fromMs, Number.POSITIVE_INFINITY);
  let cursor = fromMs;
  // Periods are at most a year long; 401 years of periods bounds a pattern that never fires.
  for (let periods = 0; periods < 2000; periods++) {
    const period = zone.periodAt(cursor);
    const { offset, previousOffset, start, end } = period;
    let best = Number.NaN;
    // Rule 1: wall times skipped by this period's spring-forward land in its first (offset - previousOffset).
    if (previousOffset < offset && cursor < start + (offset - previousOffset)) {
      const gapWall = nextWallTime(pattern, Math.max(start, cursor) + previousOffset, start + offset);
      if (!Number.isNaN(gapWall)) best = gapWall - previousOffset;
    }
    // Rule 2: after a fall-back, a fixed hour's repeated wall times already fired in the previous period.
    let fromWall = cursor + offset;
    if (previousOffset > offset && !pattern.hourWildcard) fromWall = Math.max(fromWall, start + previousOffset);
    const wall = nextWallTime(pattern, fromWall, end + offset);
    if (!Number.isNaN(wall) && (Number.isNaN(best) || wall - offset < best)) best = wall - offset;
    if (!Number.isNaN(best)) return best;
    if (end === Number.POSITIVE_INFINITY) return Number.NaN;
    cursor = end;
  }
  return Number.NaN;
}

/** A cron schedule. Construct with `cron()`. */
export class CronSchedule implements Schedule {
  readonly kind = 'cron' as const;
  readonly timezone: string;
  readonly expression: string;
  /** How day-of-month and day-of-week combine (the `dayMatch` option it was built with). */
  readonly dayMatch: DayMatch;
  private readonly pattern: CronPattern;
  private readonly zone: TimeZone;
  private readonly normalized: string;
  private description: string | undefined;

  constructor(expression: string, pattern: CronPattern, zone: TimeZone, normalized: string, dayMatch: DayMatch) {
    this.expression = expression;
    this.dayMatch = dayMatch;
    this.pattern = pattern;
    this.zone = zone;
    this.timezone = zone.name;
    this.normalized = normalized;
  }

  /**
   * The first tick strictly after `after`, or null when there is none before the end of
   * representable time (275760-09-13). Throws InvalidDateError for an Invalid Date.
   */
  next(after: Date): Date | null {
    const ms = this.nextMs(validTime(after, 'next()'));
    return Number.isNaN(ms) ? null : new Date(ms);
  }

  /** next() on epoch milliseconds, for callers that avoid Date allocation. NaN when there is none. */
  nextMs(afterMs: number): number {
    if (Number.isNaN(afterMs)) throw new InvalidDateError('next()');
    if (afterMs >= MAX_TIME_MS) return Number.NaN;
    // Strictly after: the first whole second past `afterMs`.
    const from = Math.max(-MAX_TIME_MS, Math.floor(afterMs / MS_PER_SECOND) * MS_PER_SECOND + MS_PER_SECOND);
    const tick = nextInstant(this.pattern, this.zone, from);
    return tick <= MAX_TIME_MS ? tick : Number.NaN;
  }

  /** The next `count` ticks strictly after `after` (fewer at the end of representable time). */
  nextRuns(count: number, after: Date): Date[] {
    validTime(after, 'nextRuns()');
    return collectNextRuns(this, count, after);
  }

  /** The last tick strictly before `before`, or null (none since 271821-04-20). Throws InvalidDateError for an Invalid Date. */
  previous(before: Date): Date | null {
    const beforeMs = validTime(before, 'previous()');
    const ms = findPrevious((afterMs) => this.nextMs(Math.max(afterMs, -MAX_TIME_MS - 1)), beforeMs);
    return Number.isNaN(ms) || ms < -MAX_TIME_MS ? null : new Date(ms);
  }

  /**
   * The transition days in [from, to) on which this schedule's fixed local time does not exist or
   * happens twice, and when it runs instead (see the DST policy above).
   */
  dstNotes(from: Date, to: Date): DstNote[] {
    return dstNotes(this.pattern, this.zone, validTime(from, 'dstNotes()'), validTime(to, 'dstNotes()'));
  }

  describe(): string {
    // cronstrue is slow (~10 µs); schedules are immutable, so describe once.
    const { daysRestricted, weekdaysRestricted, dayOr } = this.pattern;
    const dayRule = daysRestricted && weekdaysRestricted ? (dayOr ? 'or' : 'and') : null;
    this.description ??= describeCron(this.normalized, this.timezone, dayRule);
    return this.description;
  }

  toString(): string {
    return this.expression;
  }
}

/**
 * A cron schedule: 5 fields (minute first) or 6 (seconds first), or an `@nickname`.
 * Throws a ScheduleError (with the field and character range) when the expression cannot run.
 */
export function cron(expression: string, options: CronOptions = {}): CronSchedule {
  const text = String(expression);
  checkCronOptions(text, options);
  const timezone = options.timezone ?? 'UTC';
  const dayMatch = options.dayMatch ?? 'or';
  const key = `${dayMatch} ${timezone} ${text}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  const checked = validateCronText(text, { timezone, dayMatch, warnings: false });
  throwOnErrors(text, checked.diagnostics);
  const { pattern, normalized } = checked.parsed;
  const schedule = new CronSchedule(
    text.trim(),
    pattern as CronPattern,
    checked.zone as TimeZone,
    normalized,
    dayMatch,
  );
  compiled.set(key, schedule);
  return schedule;
}

/**
 * Schedules are immutable, so jobs that share an expression share one compiled schedule
 * (thousands of `*\/5 * * * *` jobs cost one parse). Bounded: cleared when full.
 */
const COMPILED_CACHE_LIMIT = 10_000;
const compiled = processCache<string, CronSchedule>(COMPILED_CACHE_LIMIT);
