// Time-zone offsets from the runtime's ICU data, cached as per-year transition tables so that
// next() costs a scan of a year's few transitions (two in most zones), not an Intl call. Building a year's table is the expensive part
// (Intl is slow), so years past the tz database's explicit data are predicted from a year already
// built and verified with a few Intl calls instead of sampled day by day.

import { BoundedCache, processCache } from './bounded-cache.js';
import {
  type CivilDate,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  MAX_TIME_MS,
  MS_PER_DAY,
  MS_PER_SECOND,
  weekdayOfDays,
  yearOfMs,
} from './calendar.js';

/**
 * From this year on, zones follow their final annual rule (zic writes explicit transitions through
 * 2037), so a year's transitions are last year's moved to the same weekday rule. Before it, and
 * whenever a prediction fails to verify, the year is sampled day by day.
 */
const RULE_YEAR = 2038;
/** Tables kept per zone; walking forward through centuries must not grow without bound. */
const YEAR_CACHE_LIMIT = 1024;
/** Distinct zone names a process resolves (the tz database has ~600, plus aliases and case variants). */
const ZONE_CACHE_LIMIT = 2000;

interface Transition {
  /** First UTC instant (ms) with the new offset. */
  at: number;
  /** Offset (ms, local minus UTC) from `at` on. */
  offset: number;
}

interface YearTable {
  start: number;
  end: number;
  startOffset: number;
  transitions: Transition[];
}

/** A stretch of time with one UTC offset. Periods are also split at UTC year boundaries. */
export interface OffsetPeriod {
  start: number;
  end: number;
  offset: number;
  /** The offset just before `start`: larger than `offset` after a fall-back, smaller after a spring-forward. */
  previousOffset: number;
}

/** A named IANA time zone with cached offsets. Get one through `getTimeZone`. */
export class TimeZone {
  readonly name: string;
  readonly isUtc: boolean;
  private readonly format: Intl.DateTimeFormat | null;
  private readonly years = new BoundedCache<number, YearTable>(YEAR_CACHE_LIMIT);
  /** The last table built at or after RULE_YEAR: the rule that other such years are predicted from. */
  private ruleSource: { year: number; table: YearTable } | undefined;

  constructor(name: string, format: Intl.DateTimeFormat | null) {
    this.name = name;
    this.format = format;
    this.isUtc = format === null;
  }

  /** The constant-offset period containing a UTC instant. */
  periodAt(utcMs: number): OffsetPeriod {
    if (this.isUtc) return { start: -Infinity, end: Infinity, offset: 0, previousOffset: 0 };
    const year = yearOfMs(utcMs);
    const table = this.table(year);
    const list = table.transitions;
    let index = -1;
    while (index + 1 < list.length && (list[index + 1] as Transition).at <= utcMs) index += 1;
    const current = list[index];
    const next = list[index + 1];
    if (current) {
      const before = index > 0 ? (list[index - 1] as Transition).offset : table.startOffset;
      return { start: current.at, end: next ? next.at : table.end, offset: current.offset, previousOffset: before };
    }
    const previousYear = this.table(year - 1);
    const lastBefore = previousYear.transitions.at(-1)?.offset ?? previousYear.startOffset;
    return {
      start: table.start,
      end: next ? next.at : table.end,
      offset: table.startOffset,
      previousOffset: lastBefore,
    };
  }

  /** Transitions (UTC instant, offset before and after) in [fromMs, toMs). */
  transitionsBetween(fromMs: number, toMs: number): { at: number; before: number; after: number }[] {
    if (this.isUtc) return [];
    const found: { at: number; before: number; after: number }[] = [];
    for (let year = yearOfMs(fromMs); year <= yearOfMs(toMs); year++) {
      let before = this.periodAt(Date.UTC(year, 0, 1)).previousOffset;
      const table = this.table(year);
      if (table.startOffset !== before && table.start >= fromMs && table.start < toMs) {
        found.push({ at: table.start, before, after: table.startOffset });
      }
      before = table.startOffset;
      for (const t of table.transitions) {
        if (t.at >= fromMs && t.at < toMs) found.push({ at: t.at, before, after: t.offset });
        before = t.offset;
      }
    }
    return found;
  }

  private table(year: number): YearTable {
    let table = this.years.get(year);
    if (!table) {
      const source = this.ruleSource;
      table =
        year >= RULE_YEAR && source
          ? (this.predictTable(year, source.year, source.table) ?? this.buildTable(year))
          : this.buildTable(year);
      if (year >= RULE_YEAR) this.ruleSource = { year, table };
      this.years.set(year, table);
    }
    return table;
  }

  /**
   * Year `year`'s table from `source` (another year under the same final rule): each transition
   * moved to the same month, time of day and weekday rule (nth or last weekday, or a fixed date),
   * verified by asking Intl just before and at it, with the first of every month checked too.
   * About 17 Intl calls instead of ~400; undefined when anything disagrees.
   */
  private predictTable(year: number, sourceYear: number, source: YearTable): YearTable | undefined {
    const start = daysFromCivil(year, 1, 1) * MS_PER_DAY;
    const end = daysFromCivil(year + 1, 1, 1) * MS_PER_DAY;
    if (this.rawOffset(start) !== source.startOffset) return undefined;
    const transitions: Transition[] = [];
    let before = source.startOffset;
    for (const t of source.transitions) {
      const at = this.predictTransition(t.at + before, sourceYear, year, before, t.offset);
      if (at === undefined) return undefined;
      transitions.push({ at: at, offset: t.offset });
      before = t.offset;
    }
    let previousAt = Number.NEGATIVE_INFINITY;
    for (const t of transitions) {
      if (t.at <= previousAt) return undefined;
      previousAt = t.at;
    }
    const table: YearTable = { start, end, startOffset: source.startOffset, transitions };
    for (let month = 2; month <= 12; month++) {
      const probe = daysFromCivil(year, month, 1) * MS_PER_DAY;
      if (this.rawOffset(probe) !== offsetIn(table, probe)) return undefined;
    }
    return table;
  }

  /** Where a transition at wall time `wall` of `fromYear` falls in `toYear`, verified; undefined if no rule fits. */
  private predictTransition(
    wall: number,
    fromYear: number,
    toYear: number,
    before: number,
    after: number,
  ): number | undefined {
    const dayNumber = Math.floor(wall / MS_PER_DAY);
    const timeOfDay = wall - dayNumber * MS_PER_DAY;
    const date = civilFromDays(dayNumber, { year: 0, month: 0, day: 0 } as CivilDate);
    if (date.year !== fromYear) return undefined;
    const weekday = weekdayOfDays(dayNumber);
    const length = daysInMonth(toYear, date.month);
    const firstWeekday = weekdayOfDays(daysFromCivil(toYear, date.month, 1));
    const firstMatch = 1 + ((weekday - firstWeekday + 7) % 7);
    const nth = firstMatch + 7 * Math.floor((date.day - 1) / 7);
    const candidates = [nth, date.day];
    if (date.day + 7 > daysInMonth(fromYear, date.month)) {
      candidates.unshift(firstMatch + 7 * Math.floor((length - firstMatch) / 7));
    }
    for (const day of candidates) {
      if (day > length) continue;
      const at = daysFromCivil(toYear, date.month, day) * MS_PER_DAY + timeOfDay - before;
      if (this.rawOffset(at - MS_PER_SECOND) === before && this.rawOffset(at) === after) return at;
    }
    return undefined;
  }

  /** Samples the offset once a day and bisects each change down to the second. */
  private buildTable(year: number): YearTable {
    const start = daysFromCivil(year, 1, 1) * MS_PER_DAY;
    const end = daysFromCivil(year + 1, 1, 1) * MS_PER_DAY;
    const startOffset = this.rawOffset(start);
    const transitions: Transition[] = [];
    let previous = startOffset;
    for (let sample = start + MS_PER_DAY; ; sample += MS_PER_DAY) {
      const probe = Math.min(sample, end - MS_PER_SECOND);
      const offset = this.rawOffset(probe);
      if (offset !== previous) {
        transitions.push({ at: this.bisect(probe - MS_PER_DAY, probe, previous), offset });
        previous = offset;
      }
      if (probe >= end - MS_PER_SECOND) break;
    }
    return { start, end, startOffset, transitions };
  }

  /** First second in (low, high] whose offset differs from `offsetAtLow`. */
  private bisect(low: number, high: number, offsetAtLow: number): number {
    let lo = low;
    let hi = high;
    while (hi - lo > MS_PER_SECOND) {
      const mid = lo + Math.floor((hi - lo) / 2 / MS_PER_SECOND) * MS_PER_SECOND;
      if (this.rawOffset(mid) === offsetAtLow) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /**
   * Offset at an instant, asked of Intl (slow: a few microseconds). Reads `format()`'s text, which
   * costs a quarter of `formatToParts()`: en-US with h23 is `M/D/Y E, HH:MM:SS`, in that order.
   * Instants beyond what a Date holds take the offset at the limit.
   */
  private rawOffset(utcMs: number): number {
    const at = Math.max(-MAX_TIME_MS, Math.min(MAX_TIME_MS, utcMs));
    const text = (this.format as Intl.DateTimeFormat).format(at);
    const numbers = text.match(DIGITS) as RegExpMatchArray;
    const rawYear = Number(numbers[2]);
    const year = BEFORE_CHRIST.test(text) ? 1 - rawYear : rawYear;
    const local = daysFromCivil(year, Number(numbers[0]), Number(numbers[1])) * MS_PER_DAY;
    const time = (Number(numbers[3]) * 60 + Number(numbers[4])) * 60 + Number(numbers[5]);
    return local + time * MS_PER_SECOND - Math.floor(at / MS_PER_SECOND) * MS_PER_SECOND;
  }
}

const DIGITS = /\d+/g;
const BEFORE_CHRIST = /\bB(C)?\b/;

/** The offset a table gives at an instant inside its year. */
function offsetIn(table: YearTable, utcMs: number): number {
  let offset = table.startOffset;
  for (const t of table.transitions) {
    if (t.at > utcMs) break;
    offset = t.offset;
  }
  return offset;
}

/** Valid names only (an unknown one is not cached); bounded: names may come from user input. */
const zones = processCache<string, TimeZone>(ZONE_CACHE_LIMIT);

/** Whether the runtime knows a time-zone name. */
export function isKnownTimeZone(name: string): boolean {
  return resolveTimeZone(name) !== null;
}

/** The shared TimeZone for a name, or null when the runtime does not know it. */
export function resolveTimeZone(name: string): TimeZone | null {
  const cached = zones.get(name);
  if (cached) return cached;
  if (name === '' || name.trim() !== name) return null;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return null;
  }
  const canonical = format.resolvedOptions().timeZone;
  const zone = new TimeZone(name, canonical === 'UTC' || canonical === 'Etc/UTC' ? null : format);
  zones.set(name, zone);
  return zone;
}
