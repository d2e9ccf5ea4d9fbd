// Each scheduling library's own cron dialect: what it accepts, how it reads day-of-month against
// day-of-week, how it numbers months. An expression is read the library's way into value sets
// (readDialectFields, which the @nestjs/schedule codemod also rewrites from) and handed to the
// schedule model as an equivalent canonical expression (seconds first, explicit values, `*`
// exactly where the library treats a day field as unrestricted), so next runs come from
// @tickwise/core's engine: there is no second cron engine here, and no other reader of these dialects.

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
const CRON_PRESETS: Readonly<Record<string, string>> = {
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
/** cron@2's presets: the same, in its months 0-11 (`@yearly` is January 1st). */
const CRON2_PRESETS: Readonly<Record<string, string>> = { ...CRON_PRESETS, '@yearly': '0 0 0 1 0 *' };
const VIXIE_NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** The `cron` package's dialects: they share one grammar, cron's CronTime._parse. */
function isCron(dialect: CronDialect): dialect is 'cron4' | 'cron2' {
  return dialect === 'cron4' || dialect === 'cron2';
}

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
  values: ReadonlySet<number>;
  specials: readonly string[];
}

/** One of the six fields of an expression, as its library reads it. */
export interface DialectField extends FieldValues {
  /** As written; for a preset, as the preset writes it; `0` for the seconds a 5-field text leaves out. */
  text: string;
  /** Offsets into the expression text: all of it for a preset, an empty range for left-out seconds. */
  start: number;
  end: number;
  /**
   * What the field selects, in the model's numbering: months 1-12 (cron@2's 0-11 moved up by one),
   * day-of-week 0-6 (7 read as Sunday).
   */
  values: ReadonlySet<number>;
  /** Whether it selects every value and no special: what cron tests to call a day field unrestricted. */
  full: boolean;
}

export type DialectFields =
  | {
      ok: true;
      /** Seconds first. */
      fields: readonly [DialectField, DialectField, DialectField, DialectField, DialectField, DialectField];
      /** Whether the text (or the preset it names) writes seconds: false for 5 fields. */
      seconds: boolean;
      /** The preset the text names (`@daily`, lower case), when it names one. */
      preset?: string;
    }
  | { ok: false; problems: DialectProblem[] }
  | { ok: 'unsupported'; reason: string };

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
function readField(reader: Reader, field: Field, rule: FieldRule, monthsFromZero: boolean): FieldValues {
  const dialect = reader.dialect;
  const out = { values: new Set<number>(), specials: [] as string[] };
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
    if (isCron(dialect) && /[a-z]/i.test(item) && !namesInPlace(item, rule)) {
      readCronNames(reader, { text: item, start, end }, rule, monthsFromZero);
      continue;
    }
    const slash = item.indexOf('/');
    const base = slash < 0 ? item : item.slice(0, slash);
    const stepText = slash < 0 ? undefined : item.slice(slash + 1);
    let step = 1;
    if (stepText !== undefined && dialect === 'cron2' && /^00+$/.test(stepText)) {
      reader.unsupported ??= `step '${stepText}' in ${rule.name}: cron@2 refuses only a step written '0', and reads this one as 1; write the step you mean`;
    } else if (stepText !== undefined) {
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
  if (rule === MONTH && monthsFromZero) out.values = new Set([...out.values].map((v) => v + 1));
  return out;
}

/** Whether each name in a cron item is one of its field's own, as a value or a range end (`MON-FRI`, `JUN/2`). */
function namesInPlace(item: string, rule: FieldRule): boolean {
  const names = rule === MONTH ? MONTH_NAMES : rule === DOW ? DAY_NAMES : [];
  const [base = '', ...steps] = item.split('/');
  const named = (part: string) => !/[a-z]/i.test(part) || names.includes(part.toLowerCase());
  return steps.every((step) => !/[a-z]/i.test(step)) && base.split('-').every(named);
}

/**
 * A cron item with names out of place (`JAN` in day-of-week, `*\/MON`, `JAN1`): cron replaces
 * every run of up to three letters in the text by the number of its name (JAN-DEC, SUN-SAT), so
 * the item is what those numbers read as. Not predicted when cron takes it: no model field reads it.
 */
function readCronNames(reader: Reader, field: Field, rule: FieldRule, monthsFromZero: boolean): void {
  const label = dialectLabel(reader.dialect);
  let unknown: string | undefined;
  const numeric = field.text.replace(/[a-z]{1,3}/gi, (written) => {
    const name = written.toLowerCase();
    const month = MONTH_NAMES.indexOf(name);
    const day = DAY_NAMES.indexOf(name);
    if (month >= 0) return String(month + (monthsFromZero ? 0 : 1));
    if (day >= 0) return String(day);
    unknown ??= written;
    return written;
  });
  if (unknown !== undefined) {
    reader.fail(
      `'${unknown}' is not a name ${label} knows (only JAN-DEC and SUN-SAT): '${field.text}' in ${rule.name}`,
      field.start,
      field.end,
    );
    return;
  }
  const numbers = new Reader(reader.dialect);
  readField(numbers, { ...field, text: numeric }, rule, monthsFromZero);
  for (const problem of numbers.problems)
    reader.fail(`'${field.text}' is '${numeric}' to ${label}: ${problem.message}`, field.start, field.end);
  if (numbers.problems.length === 0)
    reader.unsupported ??=
      numbers.unsupported ??
      `'${field.text}' in ${rule.name}: ${label} reads it as '${numeric}' (cron takes its names JAN-DEC and SUN-SAT as numbers anywhere); write the numbers`;
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
 * The six fields of `text` as `dialect` reads them: each one's values, or the problems the library
 * would throw at start-up (with their character ranges), or 'unsupported' when the library accepts
 * the text but no model field reads it the same way. How the day fields combine is left to
 * readCronDialect.
 */
export function readDialectFields(text: string, dialect: CronDialect): DialectFields {
  const reader = new Reader(dialect);
  const label = dialectLabel(dialect);
  const whole = (message: string): DialectFields => ({
    ok: false,
    problems: [{ message, start: 0, end: text.length }],
  });
  let fields = splitFields(text);
  let preset: string | undefined;
  const monthsFromZero = dialect === 'cron2';
  if (fields.length === 1 && fields[0]?.text.startsWith('@')) {
    const written = (fields[0] as Field).text;
    const nick = written.toLowerCase();
    const table = dialect === 'cron2' ? CRON2_PRESETS : dialect === 'cron4' ? CRON_PRESETS : VIXIE_NICKNAMES;
    const expansion = table[nick];
    if (dialect === 'node-schedule')
      return { ok: 'unsupported', reason: `${nick}: cron-parser 4 nicknames are not predicted` };
    if (!expansion) return whole(`unknown nickname '${written}' for ${label}`);
    // cron looks a preset up as the whole string, then reads an unknown one as names ('dai' in '@daily ').
    if (isCron(dialect) && written !== text)
      return whole(`${label} takes the preset '${written}' only with nothing around it, not even spaces`);
    preset = nick;
    fields = splitFields(expansion).map((f) => ({ ...f, start: 0, end: text.length }));
  }
  const counts = dialect === 'croner' ? [5, 6, 7] : [5, 6];
  if (!counts.includes(fields.length))
    return whole(`expected ${counts.join(' or ')} fields for ${label}, got ${fields.length}`);
  if (fields.length === 7) {
    if ((fields[6] as Field).text !== '*')
      return { ok: 'unsupported', reason: 'a croner year field (7th) other than * is not predicted' };
    fields = fields.slice(0, 6);
  }
  if (isCron(dialect)) {
    for (const f of fields) {
      let offset = f.start;
      for (const item of f.text.split(',')) {
        if (item.indexOf('*') > 0)
          reader.fail(`'${item}': ${label} allows '*' only at the start of an item`, offset, offset + item.length);
        offset += item.length + 1;
      }
    }
  }
  const seconds = fields.length === 6;
  const all: Field[] = seconds
    ? fields
    : [{ text: '0', start: (fields[0] as Field).start, end: (fields[0] as Field).start }, ...fields];
  const read = all.map((f, i): DialectField => {
    const rule = FIELDS[i] as FieldRule;
    const values = readField(reader, f, rule, monthsFromZero);
    return { ...f, ...values, full: isFull(values, rule) };
  });
  if (reader.problems.length > 0) return { ok: false, problems: reader.problems };
  if (reader.unsupported) return { ok: 'unsupported', reason: reader.unsupported };
  if ([0, 1, 2, 4].some((i) => read[i]?.values.size === 0)) return whole('a field has no values');
  const six = read as [DialectField, DialectField, DialectField, DialectField, DialectField, DialectField];
  return { ok: true, fields: six, seconds, ...(preset !== undefined && { preset }) };
}

/**
 * Reads `text` the way `dialect` does. Errors are what the library would throw at start-up, with
 * the character range; 'unsupported' when the library accepts it but the model cannot say when it runs.
 */
export function readCronDialect(text: string, dialect: CronDialect, options: DialectOptions = {}): DialectResult {
  const read = readDialectFields(text, dialect);
  if (read.ok !== true) return read;
  const [s, mi, h, dom, mo, dow] = read.fields;
  // Which day fields the library treats as unrestricted, and how it combines restricted ones.
  let domStar: boolean;
  let dowStar: boolean;
  let dayMatch: DayMatch = 'or';
  switch (dialect) {
    case 'cron4':
    case 'cron2':
      // cron tests the number of values: a day field holding every value does not restrict.
      domStar = dom.full;
      dowStar = dow.full;
      break;
    case 'croner':
      // croner: OR unless a day field is literally `*` (or `?`), or domAndDow / legacyMode: false.
      domStar = dom.text === '*' || dom.text === '?';
      dowStar = dow.text === '*' || dow.text === '?';
      if (options.domAndDow) {
        dayMatch = 'and';
        domStar = dom.full;
        dowStar = dow.full;
      }
      break;
    case 'node-cron':
      // node-cron requires every field to match, day-of-month and day-of-week alike.
      dayMatch = 'and';
      domStar = dom.full;
      dowStar = dow.full;
      break;
    case 'node-schedule': {
      // cron-parser 4 counts values, and compares day-of-month with the length of the month.
      const domSize = dom.values.size;
      if (domSize >= 29 && domSize < 31 && !dow.full) {
        return {
          ok: 'unsupported',
          reason: 'node-schedule (cron-parser 4) reads a day-of-month list of 29 or 30 days differently per month',
        };
      }
      domStar = domSize === 31;
      dowStar = dow.full;
      break;
    }
  }
  if (dom.values.size === 0 && dom.specials.length === 0) domStar = false;
  const expression = [
    fieldText(s, SECOND, s.full),
    fieldText(mi, MINUTE, mi.full),
    fieldText(h, HOUR, h.full),
    fieldText(dom, DOM, domStar),
    fieldText(mo, MONTH, mo.full),
    fieldText(dow, DOW, dowStar),
  ].join(' ');
  return { ok: true, expression, dayMatch };
}
