// Each scheduling library's own cron dialect: what it accepts, how it reads day-of-month against
// day-of-week, how it numbers months. An expression is read the library's way into value sets
// and handed to the schedule model as an equivalent canonical expression (seconds first, explicit
// values, `*` exactly where the library treats a day field as unrestricted), so next runs come
// from @tickwise/core's engine: there is no second cron engine here.

import type { DayMatch } from '@tickwise/core/schedule';

/** The dialects the analyzer knows; each names the library version whose rules it follows. */
export type CronDialect =
  | 'cron4' // cron@3/4 (kelektiv), also what @nestjs/schedule >= 4 runs
  | 'cron2' // cron@1/2: months 0-11, day-of-week 0-6 (@nestjs/schedule < 4)
  | 'node-cron'
  | 'croner'
  | 'node-schedule';

export interface DialectProblem {
  message: string;
  /** Offsets into the expression text. */
  start: number;
  end: number;
}

export type DialectResult =
  | {
      ok: true;
      /** Six fields, seconds first, in the schedule model's syntax. */
      expression: string;
      dayMatch: DayMatch;
    }
  | { ok: false; problems: DialectProblem[] }
  /** Valid for the library (as far as we know), but not something the model can express. */
  | { ok: 'unsupported'; reason: string };

interface FieldRule {
  name: string;
  min: number;
  max: number;
}

const SECOND: FieldRule = { name: 'second', min: 0, max: 59 };
const MINUTE: FieldRule = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldRule = { name: 'hour', min: 0, max: 23 };
const DOM: FieldRule = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldRule = { name: 'month', min: 1, max: 12 };
const DOW: FieldRule = { name: 'day-of-week', min: 0, max: 7 };
const FIELDS = [SECOND, MINUTE, HOUR, DOM, MONTH, DOW];

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const LONG_MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const LONG_DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** cron@4's presets (6 fields). */
const CRON_PRESETS: Record<string, string> = {
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
const VIXIE_NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Human name of a dialect for messages. */
export function dialectLabel(dialect: CronDialect): string {
  switch (dialect) {
    case 'cron4':
      return 'cron@4';
    case 'cron2':
      return 'cron@2';
    default:
      return dialect;
  }
}

interface Field {
  text: string;
  start: number;
  end: number;
}

/** Values of one field plus the day specials the model supports (L, LW, 15W, 5L, 5#2). */
interface FieldValues {
  values: Set<number>;
  specials: string[];
}

class Reader {
  readonly problems: DialectProblem[] = [];
  unsupported: string | undefined;

  constructor(readonly dialect: CronDialect) {}

  fail(message: string, start: number, end: number): void {
    this.problems.push({ message, start, end });
  }

  /** The number for a value (digits or a name) of the field, or NaN after reporting. */
  number(text: string, rule: FieldRule, start: number, end: number, fieldMonthsFromZero: boolean): number {
    if (/^\d+$/.test(text)) {
      const n = Number(text);
      const [min, max] = this.bounds(rule, fieldMonthsFromZero);
      if (n < min || n > max) {
        this.fail(`${rule.name} ${text} is out of range ${min}-${max} for ${dialectLabel(this.dialect)}`, start, end);
        return Number.NaN;
      }
      return n;
    }
    const lower = text.toLowerCase();
    const names = rule === MONTH ? MONTH_NAMES : rule === DOW ? DAY_NAMES : undefined;
    const long = rule === MONTH ? LONG_MONTHS : rule === DOW ? LONG_DAYS : undefined;
    if (names) {
      let index = names.indexOf(lower);
      if (index < 0 && this.dialect === 'node-cron' && long) index = long.indexOf(lower);
      if (index >= 0) return rule === MONTH ? index + (fieldMonthsFromZero ? 0 : 1) : index;
    }
    this.fail(
      `${rule.name} '${text}' is not ${names ? 'a number or a three-letter name' : 'a number'} (${dialectLabel(this.dialect)})`,
      start,
      end,
    );
    return Number.NaN;
  }

  bounds(rule: FieldRule, monthsFromZero: boolean): [number, number] {
    if (rule === MONTH && monthsFromZero) return [0, 11];
    if (rule === DOW && this.dialect === 'cron2') return [0, 6];
    return [rule.min, rule.max];
  }
}

function splitFields(text: string): Field[] {
  const fields: Field[] = [];
  const re = /\S+/g;
  for (let m = re.exec(text); m; m = re.exec(text))
    fields.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  return fields;
}

/** Whether this dialect reads L/W/# (the ones that do, for the forms the model shares). */
function hasSpecials(dialect: CronDialect): boolean {
  return dialect === 'croner' || dialect === 'node-cron';
}

/**
 * One field of a dialect into its values. Items: `*`, `n`, `a-b`, each optionally `/step`, and
 * for cron also `n/step`; names; the day specials the dialect has.
 */
function readField(reader: Reader, field: Field, rule: FieldRule, monthsFromZero: boolean): FieldValues | undefined {
  const dialect = reader.dialect;
  const out: FieldValues = { values: new Set(), specials: [] };
  const [low, high] = reader.bounds(rule, monthsFromZero);
  // `*` over day-of-week spans 0-6 for every library (7 would only repeat Sunday).
  const starHigh = rule === DOW ? 6 : high;
  let offset = field.start;
  for (const item of field.text.split(',')) {
    const start = offset;
    const end = offset + item.length;
    offset = end + 1;
    if (item === '') {
      reader.fail(`empty item in ${rule.name}`, start, end);
      continue;
    }
    const upper = item.toUpperCase();
    // Names (WED, JUL) hold L and W too: only what is left without them can be a special.
    if (/[LW#?]/.test(upper.replace(/[A-Z]{3,}/g, ''))) {
      if (upper === '?' && (rule === DOM || rule === DOW) && (dialect === 'croner' || dialect === 'node-cron')) {
        for (let v = low; v <= starHigh; v++) out.values.add(v);
        continue;
      }
      if (dialect === 'node-schedule') {
        reader.unsupported ??= `'${item}' in ${rule.name}: node-schedule's cron-parser 4 reads L, W and # in its own way; not predicted`;
        continue;
      }
      if (!hasSpecials(dialect)) {
        const what = upper.includes('?') ? "'?'" : upper.includes('#') ? "'#'" : upper.includes('W') ? "'W'" : "'L'";
        reader.fail(
          `${what} is not supported by ${dialectLabel(dialect)}${dialect === 'cron4' || dialect === 'cron2' ? ' (it rejects L, W, # and ?)' : ''}: '${item}' in ${rule.name}`,
          start,
          end,
        );
        continue;
      }
      if (rule === DOM && (upper === 'L' || upper === 'LW' || /^\d{1,2}W$/.test(upper))) {
        if (/^\d+W$/.test(upper)) {
          const day = Number(upper.slice(0, -1));
          if (day < 1 || day > 31) reader.fail(`day-of-month ${day} is out of range 1-31`, start, end);
        }
        out.specials.push(upper);
        continue;
      }
      if (rule === DOW && /^[0-7]L$/.test(upper)) {
        out.specials.push(`${Number(upper[0]) % 7}L`);
        continue;
      }
      if (rule === DOW && /^[0-7]#[1-5]$/.test(upper)) {
        out.specials.push(`${Number(upper[0]) % 7}#${upper[2]}`);
        continue;
      }
      reader.unsupported ??= `'${item}' in ${rule.name}: a ${dialectLabel(dialect)} form the analyzer does not predict`;
      continue;
    }
    const slash = item.indexOf('/');
    const base = slash < 0 ? item : item.slice(0, slash);
    const stepText = slash < 0 ? undefined : item.slice(slash + 1);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        reader.fail(`step '${stepText}' in ${rule.name} must be a positive number`, start + slash, end);
        continue;
      }
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    let wrap = false;
    if (base === '*') {
      from = low;
      to = starHigh;
    } else {
      const dash = base.indexOf('-');
      if (dash > 0) {
        from = reader.number(base.slice(0, dash), rule, start, start + dash, monthsFromZero);
        to = reader.number(base.slice(dash + 1), rule, start + dash + 1, start + base.length, monthsFromZero);
        if (Number.isNaN(from) || Number.isNaN(to)) continue;
        if (from > to) {
          if (dialect === 'node-cron') wrap = true;
          else {
            reader.fail(
              `${rule.name} range ${base} runs backwards (${dialectLabel(dialect)})`,
              start,
              start + base.length,
            );
            continue;
          }
        }
      } else {
        from = reader.number(base, rule, start, start + base.length, monthsFromZero);
        if (Number.isNaN(from)) continue;
        if (stepText !== undefined) {
          // `5/15`: cron and croner read it as 5-max/15; node-cron does not take it.
          if (dialect === 'node-cron' || dialect === 'croner') {
            reader.fail(
              `'${item}' in ${rule.name}: ${dialect} takes steps only on '*' or a range (write */${stepText} or ${base}-${high}/${stepText})`,
              start,
              end,
            );
            continue;
          }
          if (dialect === 'node-schedule' && rule === DOW) {
            reader.unsupported ??= `'${item}' in day-of-week: cron-parser 4 steps past Saturday in its own way; not predicted`;
            continue;
          }
          // cron steps up to the field's top, which is 7 (Sunday again) for day-of-week.
          to = high;
        } else to = from;
      }
    }
    if (wrap) {
      const size = high - low + 1;
      const span = (((to - from) % size) + size) % size;
      for (let k = 0; k <= span; k += step) {
        let v = from + k;
        if (v > high) v -= size;
        out.values.add(v);
      }
    } else {
      for (let v = from; v <= to; v += step) out.values.add(v);
    }
  }
  if (rule === DOW && out.values.has(7)) {
    out.values.delete(7);
    out.values.add(0);
  }
  if (rule === MONTH && monthsFromZero) {
    const shifted = new Set([...out.values].map((v) => v + 1));
    out.values = shifted;
  }
  return out;
}

/** `1,2,3,5,7,9` -> `1-3,5-9/2`: the model's syntax, short enough for cronstrue to describe. */
export function compressValues(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const first = sorted[i] as number;
    if (i + 1 >= sorted.length) {
      parts.push(String(first));
      break;
    }
    const step = (sorted[i + 1] as number) - first;
    let j = i + 1;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) - (sorted[j] as number) === step) j++;
    const count = j - i + 1;
    if (step === 1 && count >= 3) {
      parts.push(`${first}-${sorted[j]}`);
      i = j + 1;
    } else if (step > 1 && count >= 3) {
      parts.push(`${first}-${sorted[j]}/${step}`);
      i = j + 1;
    } else {
      parts.push(String(first));
      i += 1;
    }
  }
  return parts.join(',');
}

function fieldText(values: FieldValues, rule: FieldRule, star: boolean): string {
  if (star) return '*';
  const [low, high] = [rule.min, rule === DOW ? 6 : rule.max];
  const list = [...values.values];
  // `*/n` reads better than `0-55/5`; only outside the day fields, where `*` would change the day rule.
  if (rule !== DOM && rule !== DOW && values.specials.length === 0 && list.length > 1) {
    const sorted = [...list].sort((a, b) => a - b);
    const step = (sorted[1] as number) - (sorted[0] as number);
    const progression = sorted.every((v, i) => v === rule.min + i * step);
    if (sorted[0] === rule.min && progression && (sorted.at(-1) as number) + step > rule.max && step > 1)
      return `*/${step}`;
  }
  // A full set that the library reads as restricted keeps its explicit form (`0-6`, `1-31`).
  if (list.length === high - low + 1 && values.specials.length === 0) return `${low}-${high}`;
  return [compressValues(list), ...values.specials].filter((s) => s !== '').join(',');
}

function isFull(values: FieldValues, rule: FieldRule): boolean {
  const size = (rule === DOW ? 6 : rule.max) - rule.min + 1;
  return values.specials.length === 0 && values.values.size === size;
}

export interface DialectOptions {
  /** croner's `legacyMode: false` / `domAndDow: true`: both day fields must match. */
  domAndDow?: boolean;
}

/**
 * Reads `text` the way `dialect` does. Errors are what the library would throw at start-up, with
 * the character range; 'unsupported' when the library accepts it but the model cannot say when it runs.
 */
export function readCronDialect(text: string, dialect: CronDialect, options: DialectOptions = {}): DialectResult {
  const reader = new Reader(dialect);
  let source = text;
  let fields = splitFields(source);
  const monthsFromZero = dialect === 'cron2';
  if (fields.length === 1 && fields[0]?.text.startsWith('@')) {
    const nick = (fields[0] as Field).text.toLowerCase();
    const table = dialect === 'cron4' || dialect === 'cron2' ? CRON_PRESETS : VIXIE_NICKNAMES;
    const expansion = table[nick];
    if (dialect === 'node-schedule')
      return { ok: 'unsupported', reason: `${nick}: cron-parser 4 nicknames are not predicted` };
    if (!expansion) {
      return {
        ok: false,
        problems: [
          { message: `unknown nickname '${fields[0]?.text}' for ${dialectLabel(dialect)}`, start: 0, end: text.length },
        ],
      };
    }
    // Presets are written in 1-based months; cron@2 had none, so keep this simple: no shift.
    if (dialect === 'cron2') return { ok: 'unsupported', reason: `${nick} under cron@2 is not predicted` };
    source = expansion;
    fields = splitFields(source).map((f) => ({ ...f, start: 0, end: text.length }));
  }
  const counts = dialect === 'croner' ? [5, 6, 7] : [5, 6];
  if (!counts.includes(fields.length)) {
    return {
      ok: false,
      problems: [
        {
          message: `expected ${counts.join(' or ')} fields for ${dialectLabel(dialect)}, got ${fields.length}`,
          start: 0,
          end: text.length,
        },
      ],
    };
  }
  if (fields.length === 7) {
    if ((fields[6] as Field).text !== '*')
      return { ok: 'unsupported', reason: 'a croner year field (7th) other than * is not predicted' };
    fields = fields.slice(0, 6);
  }
  if (dialect !== 'node-cron' && dialect !== 'croner') {
    for (const f of fields) {
      const star = f.text.indexOf('*');
      if (star > 0 && dialect !== 'node-schedule') {
        reader.fail(`'${f.text}': ${dialectLabel(dialect)} allows '*' only at the start of an item`, f.start, f.end);
      }
    }
  }
  const all: Field[] =
    fields.length === 5
      ? [{ text: '0', start: (fields[0] as Field).start, end: (fields[0] as Field).start }, ...fields]
      : fields;
  const values = all.map((f, i) => readField(reader, f, FIELDS[i] as FieldRule, monthsFromZero));
  if (reader.problems.length > 0) return { ok: false, problems: reader.problems };
  if (reader.unsupported) return { ok: 'unsupported', reason: reader.unsupported };
  const [s, mi, h, dom, mo, dow] = values as FieldValues[];
  if ([s, mi, h, mo].some((v) => v?.values.size === 0))
    return { ok: false, problems: [{ message: 'a field has no values', start: 0, end: text.length }] };
  // Which day fields the library treats as unrestricted, and how it combines restricted ones.
  const domText = (all[3] as Field).text;
  const dowText = (all[5] as Field).text;
  let domStar: boolean;
  let dowStar: boolean;
  let dayMatch: DayMatch = 'or';
  switch (dialect) {
    case 'cron4':
    case 'cron2':
      // cron tests the number of values: a day field holding every value does not restrict.
      domStar = isFull(dom as FieldValues, DOM);
      dowStar = isFull(dow as FieldValues, DOW);
      break;
    case 'croner':
      // croner: OR unless a day field is literally `*` (or `?`), or domAndDow / legacyMode: false.
      domStar = domText === '*' || domText === '?';
      dowStar = dowText === '*' || dowText === '?';
      if (options.domAndDow) {
        dayMatch = 'and';
        domStar = isFull(dom as FieldValues, DOM);
        dowStar = isFull(dow as FieldValues, DOW);
      }
      break;
    case 'node-cron':
      // node-cron requires every field to match, day-of-month and day-of-week alike.
      dayMatch = 'and';
      domStar = isFull(dom as FieldValues, DOM);
      dowStar = isFull(dow as FieldValues, DOW);
      break;
    case 'node-schedule': {
      // cron-parser 4 counts values, and compares day-of-month with the length of the month.
      const domSize = (dom as FieldValues).values.size;
      if (domSize >= 29 && domSize < 31 && !isFull(dow as FieldValues, DOW)) {
        return {
          ok: 'unsupported',
          reason: 'node-schedule (cron-parser 4) reads a day-of-month list of 29 or 30 days differently per month',
        };
      }
      domStar = domSize === 31;
      dowStar = isFull(dow as FieldValues, DOW);
      break;
    }
  }
  if ((dom as FieldValues).values.size === 0 && (dom as FieldValues).specials.length === 0) domStar = false;
  const expression = [
    fieldText(s as FieldValues, SECOND, isFull(s as FieldValues, SECOND)),
    fieldText(mi as FieldValues, MINUTE, isFull(mi as FieldValues, MINUTE)),
    fieldText(h as FieldValues, HOUR, isFull(h as FieldValues, HOUR)),
    fieldText(dom as FieldValues, DOM, domStar),
    fieldText(mo as FieldValues, MONTH, isFull(mo as FieldValues, MONTH)),
    fieldText(dow as FieldValues, DOW, dowStar),
  ].join(' ');
  return { ok: true, expression, dayMatch };
}
