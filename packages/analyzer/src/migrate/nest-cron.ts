// A @nestjs/schedule cron string as the `cron` package reads it (cron@4 from @nestjs/schedule 4,
// cron@2 before: months 0-11), rewritten so that Tickwise fires it at the same instants.
// The field grammar mirrors cron@4's CronTime._parse: a value, a range, a step, `*`, 3-letter
// names; anything else (L, W, #, ?) makes Nest throw at start-up.

import type { DayMatch } from '@tickwise/core/schedule';

export interface NestCronDialect {
  /** cron@2 (via @nestjs/schedule < 4): months count from 0 (0 = January). */
  monthsFromZero: boolean;
}

export type NestCronConversion =
  | {
      /** The expression for Tickwise. */
      text: string;
      /** Set when Tickwise's default (`'or'`, with the Vixie star rule) would combine the days differently. */
      dayMatch?: DayMatch;
      /** True when the schedule fires at the same instants in every time zone. */
      zoneFree: boolean;
    }
  | { reason: string };

interface Unit {
  name: string;
  low: number;
  high: number;
}

const SECOND: Unit = { name: 'second', low: 0, high: 59 };
const MINUTE: Unit = { name: 'minute', low: 0, high: 59 };
const HOUR: Unit = { name: 'hour', low: 0, high: 23 };
const DAY_OF_MONTH: Unit = { name: 'day-of-month', low: 1, high: 31 };
const MONTH: Unit = { name: 'month', low: 1, high: 12 };
const MONTH_FROM_ZERO: Unit = { name: 'month', low: 0, high: 11 };
const DAY_OF_WEEK: Unit = { name: 'day-of-week', low: 0, high: 7 };

const PRESETS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
  '@minutely': '0 * * * * *',
  '@secondly': '* * * * * *',
  '@weekdays': '0 0 0 * * 1-5',
  '@weekends': '0 0 0 * * 0,6',
};

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

class CronFieldError extends Error {}

/** The numbers a field selects, as cron reads it; throws CronFieldError where cron throws. */
function valuesOf(field: string, unit: Unit, monthsFromZero: boolean): Set<number> {
  const aliased = field.replace(/[a-z]{1,3}/gi, (written) => {
    const alias = written.toLowerCase();
    const month = MONTH_NAMES.indexOf(alias);
    if (month >= 0) return String(month + (monthsFromZero ? 0 : 1));
    const day = DAY_NAMES.indexOf(alias);
    if (day >= 0) return String(day);
    throw new CronFieldError(`'${written}' is not a name cron knows (only JAN-DEC and SUN-SAT)`);
  });
  const items = aliased.split(',');
  for (const item of items) {
    const star = item.indexOf('*');
    if (star > 0) throw new CronFieldError(`'${item}' in the ${unit.name} has a '*' that is not at its start`);
  }
  const values = new Set<number>();
  for (const item of aliased.replace(/\*/g, `${unit.low}-${unit.high}`).split(',')) {
    const match = /^(\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(item);
    if (!match) throw new CronFieldError(`the ${unit.name} '${field}' cannot be parsed by cron`);
    const lower = Number(match[1]);
    const upper = match[2] === undefined ? undefined : Number(match[2]);
    const step = Number(match[3] ?? '1');
    if (step === 0) throw new CronFieldError(`the ${unit.name} '${field}' has a step of zero`);
    if (upper !== undefined && lower > upper)
      throw new CronFieldError(`the ${unit.name} '${field}' has a range that runs backwards`);
    if (lower < unit.low || (upper ?? lower) > unit.high)
      throw new CronFieldError(`the ${unit.name} '${field}' is out of range ${unit.low}-${unit.high}`);
    const last = upper ?? (match[3] !== undefined ? unit.high : lower);
    for (let v = lower; v <= last; v += step) values.add(unit === DAY_OF_WEEK && v === 7 ? 0 : v);
  }
  return values;
}

function isFull(values: Set<number>, unit: Unit): boolean {
  const size = unit === DAY_OF_WEEK ? 7 : unit.high - unit.low + 1;
  return values.size === size;
}

/** A set as cron text: `a-b` runs and single values, comma-separated. */
function listText(values: Set<number>): string {
  const sorted = [...values].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

const sameSet = (a: Set<number>, b: Set<number>) => a.size === b.size && [...a].every((v) => b.has(v));

/** A cron@2 month field in 1-12 numbering: numbers move up by one; names and `*` stay. */
function shiftedMonths(field: string, fromZero: Set<number>): string {
  const target = new Set([...fromZero].map((v) => v + 1));
  const shifted = field.replace(/\d+/g, (n, offset: number) => {
    // A step (after '/') is a count, not a month.
    return field[offset - 1] === '/' ? n : String(Number(n) + 1);
  });
  try {
    if (sameSet(valuesOf(shifted, MONTH, false), target)) return shifted;
  } catch {
    // fall through to the plain list
  }
  return isFull(target, MONTH) ? '*' : listText(target);
}

/** Tickwise (like Vixie cron) treats a day field that starts with '*' or '?' as unrestricted. */
const tickwiseRestricted = (field: string) => !(field.startsWith('*') || field.startsWith('?'));

/** A restricted day field that starts with '*' (e.g. `*\/2`), written so that it does not. */
function withoutLeadingStar(field: string, unit: Unit): string {
  if (!field.startsWith('*')) return field;
  const top = unit === DAY_OF_WEEK ? 6 : unit.high;
  return `${unit.low}-${top}${field.slice(1)}`;
}

/**
 * How Tickwise writes a @nestjs/schedule cron string so that it fires at the same instants, or
 * why it cannot (the string is one Nest rejects at start-up).
 */
export function convertNestCron(text: string, dialect: NestCronDialect): NestCronConversion {
  const source = PRESETS[text.trim().toLowerCase()] ?? text.trim();
  const fields = source.split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    return {
      reason: `'${text}' has ${fields.length} fields; cron (what @nestjs/schedule runs) takes 5 or 6, so this job never started: fix it by hand`,
    };
  }
  const [second, minute, hour, day, month, weekday] = (fields.length === 6 ? fields : ['0', ...fields]) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  let days: Set<number>;
  let weekdays: Set<number>;
  let months: Set<number>;
  let minutes: Set<number>;
  let hours: Set<number>;
  try {
    valuesOf(second, SECOND, false);
    minutes = valuesOf(minute, MINUTE, false);
    hours = valuesOf(hour, HOUR, false);
    days = valuesOf(day, DAY_OF_MONTH, false);
    months = valuesOf(month, dialect.monthsFromZero ? MONTH_FROM_ZERO : MONTH, dialect.monthsFromZero);
    weekdays = valuesOf(weekday, DAY_OF_WEEK, false);
  } catch (error) {
    if (!(error instanceof CronFieldError)) throw error;
    return {
      reason: `'${text}': ${error.message}; @nestjs/schedule throws at start-up, so this job never ran: fix it by hand`,
    };
  }
  const out = [second, minute, hour, day, month, weekday];
  if (dialect.monthsFromZero) out[4] = shiftedMonths(month, months);
  // cron: the days combine with OR when both fields select less than everything, else AND.
  const cronOr = !isFull(days, DAY_OF_MONTH) && !isFull(weekdays, DAY_OF_WEEK);
  let dayMatch: DayMatch | undefined;
  if (cronOr) {
    out[3] = withoutLeadingStar(day, DAY_OF_MONTH);
    out[5] = withoutLeadingStar(weekday, DAY_OF_WEEK);
  } else if (tickwiseRestricted(day) && tickwiseRestricted(weekday)) {
    // e.g. '1-31' and '1-5': cron reads the full day field as no restriction.
    dayMatch = 'and';
  }
  const changed = out.some((field, i) => field !== [second, minute, hour, day, month, weekday][i]);
  // Presets are written out: Tickwise's nicknames are not cron's (no @secondly, @weekdays).
  const preset = source !== text.trim();
  const written = changed || preset ? (fields.length === 6 ? out : out.slice(1)).join(' ') : text;
  // Zone offsets are whole quarter hours: a schedule of seconds and quarter-hour-periodic minutes,
  // on every hour of every day, fires at the same instants in every zone.
  const quarterPeriodic = [...minutes].every((m) => minutes.has((m + 15) % 60));
  const zoneFree =
    quarterPeriodic &&
    isFull(hours, HOUR) &&
    isFull(days, DAY_OF_MONTH) &&
    isFull(months, dialect.monthsFromZero ? MONTH_FROM_ZERO : MONTH) &&
    isFull(weekdays, DAY_OF_WEEK);
  return { text: written, ...(dayMatch && { dayMatch }), zoneFree };
}
