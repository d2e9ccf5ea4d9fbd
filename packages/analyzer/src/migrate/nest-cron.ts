// A @nestjs/schedule cron string rewritten as little as it takes for Tickwise to fire it at the
// same instants. What cron (cron@4 from @nestjs/schedule 4, cron@2 before: months 0-11) rejects and
// what each field selects is dialects.ts's verdict; how Tickwise reads the result, @tickwise/core's.

import { cron, type DayMatch } from '@tickwise/core/schedule';
import { type DialectField, readDialectFields } from '../dialects.js';

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

/** A set as cron text: `a-b` runs and single values, comma-separated. */
function listText(values: ReadonlySet<number>): string {
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

const sameSet = (a: ReadonlySet<number>, b: ReadonlySet<number>) => a.size === b.size && [...a].every((v) => b.has(v));

/** A cron@2 month field in 1-12 numbering: numbers move up by one; names and `*` stay. */
function shiftedMonths(field: string): string {
  // A step (after '/') is a count, not a month.
  return field.replace(/\d+/g, (n, offset: number) => (field[offset - 1] === '/' ? n : String(Number(n) + 1)));
}

const runs = (expression: string, count: number) =>
  cron(expression, { timezone: 'UTC' }).nextRuns(count, new Date(Date.UTC(2025, 11, 31, 23, 59, 59)));

/** Per field, seconds first: the field alone among fields that take everything, and enough runs to show each value. */
const TICKWISE_READS: readonly ((field: string) => number[])[] = [
  (f) => runs(`${f} * * * * *`, 60).map((d) => d.getUTCSeconds()),
  (f) => runs(`0 ${f} * * * *`, 60).map((d) => d.getUTCMinutes()),
  (f) => runs(`0 0 ${f} * * *`, 24).map((d) => d.getUTCHours()),
  // January has all 31 days: its runs come first.
  (f) => runs(`0 0 0 ${f} * *`, 31).map((d) => d.getUTCDate()),
  (f) => runs(`0 0 0 1 ${f} *`, 12).map((d) => d.getUTCMonth() + 1),
  (f) => runs(`0 0 0 * * ${f}`, 7).map((d) => d.getUTCDay()),
];

/**
 * The values Tickwise reads in one field, asked of Tickwise itself (its runs in UTC from
 * 2026-01-01), or undefined when it refuses the field or the field never fires.
 */
function tickwiseReads(field: string, index: number): Set<number> | undefined {
  const read = TICKWISE_READS[index];
  if (!read) return undefined;
  try {
    return new Set(read(field));
  } catch {
    return undefined;
  }
}

/**
 * The fields as Tickwise gets them: each as proposed where Tickwise reads it as cron does, else
 * those values written out. They differ where cron takes a step longer than the field (`1-7/35`),
 * and on `5/2` in day-of-week: cron@4 steps it up to 7 (Sunday again), Tickwise to Saturday.
 */
function forTickwise(proposed: readonly string[], fields: readonly DialectField[]): string[] {
  return proposed.map((field, i) => {
    const read = fields[i] as DialectField;
    const tickwise = tickwiseReads(field, i);
    if (tickwise && sameSet(tickwise, read.values)) return field;
    // `*` would make a day field unrestricted to Tickwise: only the other fields may say everything so.
    return read.full && i !== 3 && i !== 5 ? '*' : listText(read.values);
  });
}

/** Tickwise (like Vixie cron) treats a day field that starts with '*' or '?' as unrestricted. */
const tickwiseRestricted = (field: string) => !(field.startsWith('*') || field.startsWith('?'));

/** A restricted day field that starts with '*' (e.g. `*\/2`), written over `range` so that it does not. */
function withoutLeadingStar(field: string, range: '1-31' | '0-6'): string {
  return field.startsWith('*') ? `${range}${field.slice(1)}` : field;
}

/**
 * How Tickwise writes a @nestjs/schedule cron string so that it fires at the same instants, or
 * why it cannot (the string is one Nest rejects at start-up, or one Tickwise has no reading of).
 */
export function convertNestCron(text: string, dialect: NestCronDialect): NestCronConversion {
  const read = readDialectFields(text, dialect.monthsFromZero ? 'cron2' : 'cron4');
  if (read.ok === false) {
    const problems = read.problems.map((p) => p.message).join('; ');
    return {
      reason: `'${text}': ${problems}; @nestjs/schedule throws at start-up, so this job never ran: fix it by hand`,
    };
  }
  if (read.ok === 'unsupported')
    return {
      reason: `'${text}' runs under @nestjs/schedule, but the codemod cannot predict when: ${read.reason}, or convert it by hand`,
    };
  const [, minute, hour, day, month, weekday] = read.fields;
  const written = read.fields.map((field) => field.text);
  const proposed = [...written];
  if (dialect.monthsFromZero) proposed[4] = shiftedMonths(month.text);
  // cron: the days combine with OR when both fields select less than everything, else AND.
  const cronOr = !day.full && !weekday.full;
  if (cronOr) {
    proposed[3] = withoutLeadingStar(day.text, '1-31');
    proposed[5] = withoutLeadingStar(weekday.text, '0-6');
  }
  const out = forTickwise(proposed, read.fields);
  // e.g. '1-31' and '1-5': cron reads the full day field as no restriction, Tickwise ORs the two.
  const dayMatch: DayMatch | undefined =
    !cronOr && tickwiseRestricted(out[3] as string) && tickwiseRestricted(out[5] as string) ? 'and' : undefined;
  const changed = out.some((field, i) => field !== written[i]);
  // Presets are written out: Tickwise's nicknames are not cron's (no @secondly, @weekdays).
  const rewritten = changed || read.preset !== undefined;
  const result = rewritten ? (read.seconds ? out : out.slice(1)).join(' ') : text;
  // Zone offsets are whole quarter hours: a schedule of seconds and quarter-hour-periodic minutes,
  // on every hour of every day, fires at the same instants in every zone.
  const quarterPeriodic = [...minute.values].every((m) => minute.values.has((m + 15) % 60));
  const zoneFree = quarterPeriodic && hour.full && day.full && month.full && weekday.full;
  return { text: result, ...(dayMatch && { dayMatch }), zoneFree };
}
