// Time-zone offsets from the runtime's ICU data, cached as per-year transition tables so that
// next() costs a binary search, not an Intl call.

import { daysFromCivil, MS_PER_DAY, MS_PER_SECOND, yearOfMs } from './calendar.js';

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
  private readonly years = new Map<number, YearTable>();

  constructor(name: string, format: Intl.DateTimeFormat | null) {
    this.name = name;
    this.format = format;
    this.isUtc = format === null;
  }

  /** Local minus UTC, in ms, at a UTC instant. */
  offsetAt(utcMs: number): number {
    if (this.isUtc) return 0;
    const table = this.table(yearOfMs(utcMs));
    let offset = table.startOffset;
    for (const t of table.transitions) {
      if (t.at > utcMs) break;
      offset = t.offset;
    }
    return offset;
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
      table = this.buildTable(year);
      this.years.set(year, table);
    }
    return table;
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

  /** Offset at an instant, asked of Intl (slow: a few microseconds). */
  private rawOffset(utcMs: number): number {
    const format = this.format as Intl.DateTimeFormat;
    const parts = format.formatToParts(utcMs);
    const field = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
    const era = parts.find((p) => p.type === 'era')?.value;
    const rawYear = field('year');
    const year = era === 'BC' || era === 'B' ? 1 - rawYear : rawYear;
    const local = Date.UTC(year, field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
    // Date.UTC maps years 0-99 to 1900-1999; correct it for completeness.
    const localFixed = year >= 0 && year < 100 ? local - (Date.UTC(1900 + year, 0, 1) - Date.UTC(year, 0, 1)) : local;
    return localFixed - Math.floor(utcMs / MS_PER_SECOND) * MS_PER_SECOND;
  }
}

const zones = new Map<string, TimeZone>();

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
