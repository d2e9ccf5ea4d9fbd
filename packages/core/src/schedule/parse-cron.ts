// Parses a cron expression into a CronPattern, reporting every problem with its exact character range.

import { processCache } from './bounded-cache.js';
import {
  DAY_OF_MONTH,
  DAY_OF_WEEK,
  FIELDS_WITH_SECONDS,
  type FieldSpec,
  HOUR,
  MONTH,
  NICKNAMES,
} from './cron-fields.js';
import type { CronPattern, DaySpecials } from './cron-pattern.js';
import { errorDiagnostic, ScheduleCode, type ScheduleDiagnostic, warningDiagnostic } from './diagnostics.js';

export type DayMatch = 'or' | 'and';

/** Where one field of the expression sits in the text; `text` is '' for an implied seconds field. */
export interface FieldSpan {
  spec: FieldSpec;
  text: string;
  start: number;
  end: number;
}

export interface ParsedCron {
  pattern: CronPattern | null;
  diagnostics: ScheduleDiagnostic[];
  /** The six fields (seconds first); set when the field count was right. */
  fields: FieldSpan[] | null;
  /** The expression with nicknames expanded, 5 or 6 fields. */
  normalized: string;
}

interface Token {
  text: string;
  start: number;
  end: number;
}

/** Whitespace-separated words with their offsets (a hand loop: this runs for every job registered). */
function words(text: string): Token[] {
  const tokens: Token[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 32;
    const space =
      code === 32 ||
      (code >= 9 && code <= 13) ||
      code === 0xa0 ||
      code === 0xfeff ||
      (code >= 0x2000 && code <= 0x200a) ||
      code === 0x2028 ||
      code === 0x2029 ||
      code === 0x202f ||
      code === 0x205f ||
      code === 0x3000 ||
      code === 0x1680;
    if (space) {
      if (start >= 0) tokens.push({ text: text.slice(start, i), start, end: i });
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  return tokens;
}

/** The value of a string of ASCII digits, or -1. */
function digits(text: string): number {
  if (text.length === 0 || text.length > 9) return text.length > 9 && /^\d+$/.test(text) ? Number(text) : -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/** Field values collected while parsing one field. */
class FieldBuilder {
  lo = 0;
  hi = 0;
  add(value: number): void {
    if (value < 30) this.lo |= 1 << value;
    else this.hi |= 1 << (value - 30);
  }
}

const SECOND_ZERO = new FieldBuilder();
SECOND_ZERO.add(0);

const FIELD_CACHE_LIMIT = 5000;
const fieldCache = processCache<string, FieldBuilder>(FIELD_CACHE_LIMIT);

function emptySpecials(): DaySpecials {
  return { lastDay: false, lastWeekdayOfMonth: false, nearestWeekday: 0, nth: [0, 0, 0, 0, 0], lastWeekday: 0 };
}

class CronParser {
  readonly diagnostics: ScheduleDiagnostic[] = [];
  special: DaySpecials | null = null;

  private error(code: ScheduleCode, message: string, start: number, end: number): void {
    this.diagnostics.push(errorDiagnostic(code, message, start, end));
  }

  private specials(): DaySpecials {
    this.special ??= emptySpecials();
    return this.special;
  }

  /**
   * Parses a single value (number or name) of a field; returns NaN after reporting an error.
   * `item` is the whole list item the value belongs to: a missing value (`-1`, `1-`, `/5`) has no
   * characters of its own, so the item is underlined instead.
   */
  value(token: Token, spec: FieldSpec, item: Token = token): number {
    const raw = token.text;
    const n = digits(raw);
    if (n >= 0) {
      if (n < spec.min || n > spec.max) {
        this.error(
          ScheduleCode.OutOfRange,
          `${spec.name} ${raw} is out of range ${spec.min}-${spec === DAY_OF_WEEK ? 6 : spec.max}${spec === DAY_OF_WEEK ? ' (or 7 for Sunday)' : ''}`,
          token.start,
          token.end,
        );
        return Number.NaN;
      }
      return n;
    }
    if (/^[A-Za-z]+$/.test(raw) && spec.names) {
      const named = spec.names[raw.toUpperCase()];
      if (named === undefined) {
        const examples = Object.keys(spec.names).slice(0, 3).join(', ');
        this.error(
          ScheduleCode.UnknownName,
          `unknown ${spec.name} name '${raw}' (use ${examples}, …)`,
          token.start,
          token.end,
        );
        return Number.NaN;
      }
      return named;
    }
    if (raw === '') {
      this.error(ScheduleCode.Syntax, `missing ${spec.name} value in '${item.text}'`, item.start, item.end);
      return Number.NaN;
    }
    const what = spec.names ? 'a number or a name' : 'a number';
    this.error(ScheduleCode.Syntax, `${spec.name} '${raw}' is not ${what}`, token.start, token.end);
    return Number.NaN;
  }

  /** Parses one comma-separated item of a field (`field` is the whole field) into the builder. */
  item(token: Token, spec: FieldSpec, builder: FieldBuilder, field: Token): void {
    const raw = token.text;
    if (raw === '') {
      // Nothing to underline in an empty item: underline the comma before it (or after, at the start).
      const start = Math.max(field.start, token.start - 1);
      this.error(ScheduleCode.Syntax, `empty item in ${spec.name} list`, start, Math.min(field.end, start + 1));
      return;
    }
    if (this.daySpecial(token, spec)) return;
    // Names such as WED, JUL or FRI contain the letters of the specials: look for L, W and # only
    // outside words (`MON-WED`, `JUN-JUL`, `WED/2` are names; `5W`, `MON-L` are specials).
    if (/[LW#]/.test(withoutWords(raw))) {
      this.error(ScheduleCode.BadSpecial, misplacedSpecial(raw, spec), token.start, token.end);
      return;
    }
    const slash = raw.indexOf('/');
    const baseText = slash < 0 ? raw : raw.slice(0, slash);
    const base: Token = { text: baseText, start: token.start, end: token.start + baseText.length };
    // `*` on day-of-week spans 0-6: 7 would only repeat Sunday.
    const top = spec === DAY_OF_WEEK ? 6 : spec.max;
    let low: number;
    let high: number;
    let wildcard = false;
    if (baseText === '*' || baseText === '?') {
      if (baseText === '?' && spec !== DAY_OF_MONTH && spec !== DAY_OF_WEEK) {
        this.error(ScheduleCode.Syntax, `'?' is only allowed in day-of-month and day-of-week`, base.start, base.end);
        return;
      }
      low = spec.min;
      high = top;
      wildcard = true;
    } else {
      const dash = baseText.indexOf('-');
      if (dash >= 0) {
        const a: Token = { text: baseText.slice(0, dash), start: base.start, end: base.start + dash };
        const b: Token = { text: baseText.slice(dash + 1), start: base.start + dash + 1, end: base.end };
        low = this.value(a, spec, token);
        high = this.value(b, spec, token);
        if (Number.isNaN(low) || Number.isNaN(high)) return;
        if (low > high) {
          this.error(
            ScheduleCode.BadRange,
            `${spec.name} range ${baseText} runs backwards: start ${a.text} is after end ${b.text}`,
            base.start,
            base.end,
          );
          return;
        }
      } else {
        low = this.value(base, spec, token);
        if (Number.isNaN(low)) return;
        // `5/15` means from 5 to the end of the field, every 15.
        high = slash < 0 ? low : top;
      }
    }
    let step = 1;
    if (slash >= 0) {
      const stepText = raw.slice(slash + 1);
      const stepStart = token.start + slash + 1;
      if (!/^\d+$/.test(stepText)) {
        this.error(
          ScheduleCode.BadStep,
          `step '${stepText}' in ${spec.name} is not a positive number`,
          stepStart - 1,
          token.end,
        );
        return;
      }
      step = Number(stepText);
      const span = top - spec.min;
      if (step < 1 || step > span) {
        this.error(
          ScheduleCode.BadStep,
          `step ${stepText} in ${spec.name} must be between 1 and ${span}`,
          stepStart - 1,
          token.end,
        );
        return;
      }
      if (wildcard) this.checkEvenStep(spec, step, token);
    }
    for (let v = low; v <= high; v += step) builder.add(spec === DAY_OF_WEEK && v === 7 ? 0 : v);
  }

  /** Warns when `*\/n` does not divide the field, so the last gap of each cycle is shorter. */
  private checkEvenStep(spec: FieldSpec, step: number, token: Token): void {
    if (spec === DAY_OF_MONTH || spec === DAY_OF_WEEK) return;
    const size = spec.max - spec.min + 1;
    if (size % step === 0) return;
    const last = spec.min + Math.floor((spec.max - spec.min) / step) * step;
    const unit = spec === HOUR ? 'day' : spec === MONTH ? 'year' : spec.name === 'minute' ? 'hour' : 'minute';
    this.diagnostics.push(
      warningDiagnostic(
        ScheduleCode.UnevenStep,
        `${token.text} in ${spec.name} restarts every ${unit}: after ${last} comes ${spec.min}, a gap of ${size - (last - spec.min)} instead of ${step}`,
        token.start,
        token.end,
      ),
    );
  }

  /** Handles L, LW, nW (day-of-month) and nL, n#k (day-of-week). Returns true when it consumed the item. */
  private daySpecial(token: Token, spec: FieldSpec): boolean {
    if (spec !== DAY_OF_MONTH && spec !== DAY_OF_WEEK) return false;
    if (!/[LW#]/i.test(token.text)) return false;
    const raw = token.text.toUpperCase();
    if (spec === DAY_OF_MONTH) {
      if (raw === 'L') {
        this.specials().lastDay = true;
        return true;
      }
      if (raw === 'LW') {
        this.specials().lastWeekdayOfMonth = true;
        return true;
      }
      const nearest = /^(\d+)W$/.exec(raw);
      if (nearest) {
        const day = this.value({ text: nearest[1] as string, start: token.start, end: token.end - 1 }, spec);
        if (!Number.isNaN(day)) this.specials().nearestWeekday |= 1 << (day - 1);
        return true;
      }
      return false;
    }
    if (spec === DAY_OF_WEEK) {
      const last = /^([A-Z0-9]+)L$/.exec(raw);
      if (last) {
        const day = this.value({ text: token.text.slice(0, -1), start: token.start, end: token.end - 1 }, spec);
        if (!Number.isNaN(day)) this.specials().lastWeekday |= 1 << (day % 7);
        return true;
      }
      const nth = /^([A-Z0-9]+)#(.*)$/.exec(raw);
      if (nth) {
        const dayText = nth[1] as string;
        const day = this.value(
          { text: token.text.slice(0, dayText.length), start: token.start, end: token.start + dayText.length },
          spec,
        );
        const kText = nth[2] as string;
        const kStart = token.start + dayText.length + 1;
        const k = /^[1-5]$/.test(kText) ? Number(kText) : Number.NaN;
        if (Number.isNaN(k)) {
          this.error(
            ScheduleCode.BadSpecial,
            `'#${kText}' in day-of-week: the occurrence must be 1 to 5`,
            kStart - 1,
            token.end,
          );
          return true;
        }
        if (!Number.isNaN(day)) {
          const specials = this.specials();
          specials.nth[k - 1] = (specials.nth[k - 1] as number) | (1 << (day % 7));
        }
        return true;
      }
    }
    return false;
  }
}

/** Why L, W or # cannot stand where they are, said for the field they are in. */
function misplacedSpecial(raw: string, spec: FieldSpec): string {
  if (spec === DAY_OF_MONTH) {
    return `'${raw}' in day-of-month: use L (last day), LW (last weekday) or a day before W (15W = the weekday nearest the 15th); # works only in day-of-week (5#3)`;
  }
  if (spec === DAY_OF_WEEK) {
    return `'${raw}' in day-of-week: L and # need a weekday before them (5L = the last Friday, 5#3 = the third Friday); W works only in day-of-month (15W)`;
  }
  return `'${raw}' in ${spec.name}: L, W and # work only in the day fields (L, LW, 15W in day-of-month; 5L, 5#3 in day-of-week)`;
}

/**
 * The item without its words other than the specials L, W and LW: names (WED, JUL) are letters
 * too, and an unknown word is reported as an unknown name, not as a misplaced special.
 */
function withoutWords(item: string): string {
  return item.toUpperCase().replace(/[A-Z]+/g, (word) => (word === 'L' || word === 'W' || word === 'LW' ? word : ''));
}

function splitItems(span: FieldSpan): Token[] {
  const items: Token[] = [];
  let start = 0;
  for (let i = 0; i <= span.text.length; i++) {
    if (i === span.text.length || span.text[i] === ',') {
      items.push({ text: span.text.slice(start, i), start: span.start + start, end: span.start + i });
      start = i + 1;
    }
  }
  return items;
}

// Day-of-month 1-29 in the low word, 30-31 in the high word (see FieldBuilder).
const ALL_DAYS_LO = 0x3ffffffe;
const ALL_DAYS_HI = 0x3;

function isRestricted(fieldText: string): boolean {
  return !(fieldText.startsWith('*') || fieldText.startsWith('?'));
}

/** Parses `text` (5 or 6 fields, or an `@nickname`). Never throws. */
export function parseCron(text: string, dayMatch: DayMatch = 'or'): ParsedCron {
  const parser = new CronParser();
  const found = words(text);
  let fieldTokens = found;
  let normalized = found.map((w) => w.text).join(' ');
  if (found.length === 0) {
    parser.diagnostics.push(errorDiagnostic(ScheduleCode.FieldCount, 'the cron expression is empty', 0, text.length));
    return { pattern: null, diagnostics: parser.diagnostics, fields: null, normalized };
  }
  const first = found[0] as Token;
  if (first.text.startsWith('@')) {
    const expansion = NICKNAMES[first.text.toLowerCase()];
    if (!expansion) {
      const known = Object.keys(NICKNAMES).join(' ');
      parser.diagnostics.push(
        errorDiagnostic(
          ScheduleCode.UnknownName,
          `unknown nickname '${first.text}' (known: ${known})`,
          first.start,
          first.end,
        ),
      );
      return { pattern: null, diagnostics: parser.diagnostics, fields: null, normalized };
    }
    if (found.length > 1) {
      const extra = found[1] as Token;
      parser.diagnostics.push(
        errorDiagnostic(
          ScheduleCode.FieldCount,
          `'${first.text}' stands alone; remove what follows it`,
          extra.start,
          text.trimEnd().length,
        ),
      );
      return { pattern: null, diagnostics: parser.diagnostics, fields: null, normalized };
    }
    normalized = expansion;
    // Every field of the expansion points at the nickname itself.
    fieldTokens = expansion.split(' ').map((part) => ({ text: part, start: first.start, end: first.end }));
  }
  if (fieldTokens.length !== 5 && fieldTokens.length !== 6) {
    const lead = found[0] as Token;
    const tail = found[found.length - 1] as Token;
    parser.diagnostics.push(
      errorDiagnostic(
        ScheduleCode.FieldCount,
        `expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got ${fieldTokens.length}`,
        lead.start,
        tail.end,
      ),
    );
    return { pattern: null, diagnostics: parser.diagnostics, fields: null, normalized };
  }
  const withSeconds = fieldTokens.length === 6;
  const implicitSeconds: Token = {
    text: '',
    start: (fieldTokens[0] as Token).start,
    end: (fieldTokens[0] as Token).start,
  };
  const tokens = withSeconds ? fieldTokens : [implicitSeconds, ...fieldTokens];
  const fields: FieldSpan[] = tokens.map((token, i) => ({
    spec: FIELDS_WITH_SECONDS[i] as FieldSpec,
    text: token.text,
    start: token.start,
    end: token.end,
  }));
  const builders = fields.map((span) => {
    if (span.text === '') return SECOND_ZERO;
    // Field texts repeat far more than whole expressions ('*', '0', '1-5'): reuse their values.
    const key = `${span.spec.name} ${span.text}`;
    const cached = fieldCache.get(key);
    if (cached) return cached;
    const before = parser.diagnostics.length;
    const specialsBefore = parser.special;
    const builder = new FieldBuilder();
    for (const item of splitItems(span)) parser.item(item, span.spec, builder, span);
    // Only plain, clean fields are reused: diagnostics carry positions, specials live elsewhere.
    if (parser.diagnostics.length === before && parser.special === specialsBefore && parser.special === null) {
      fieldCache.set(key, builder);
    }
    return builder;
  });
  if (parser.diagnostics.some((d) => d.severity === 'error')) {
    return { pattern: null, diagnostics: parser.diagnostics, fields, normalized };
  }
  const [seconds, minutes, hours, days, months, weekdays] = builders as [
    FieldBuilder,
    FieldBuilder,
    FieldBuilder,
    FieldBuilder,
    FieldBuilder,
    FieldBuilder,
  ];
  const dayField = fields[3] as FieldSpan;
  const weekdayField = fields[5] as FieldSpan;
  const daysRestricted = isRestricted(dayField.text);
  const weekdaysRestricted = isRestricted(weekdayField.text);
  const hourText = (fields[2] as FieldSpan).text;
  const pattern: CronPattern = {
    secondsLo: seconds.lo,
    secondsHi: seconds.hi,
    minutesLo: minutes.lo,
    minutesHi: minutes.hi,
    hours: hours.lo,
    // Day-of-month values 1-31 are stored at bits 0-30.
    days: (days.lo >>> 1) | (days.hi << 29),
    months: (months.lo >>> 1) & 0xfff,
    weekdays: weekdays.lo & 0x7f,
    daysRestricted,
    weekdaysRestricted,
    dayOr: daysRestricted && weekdaysRestricted && dayMatch === 'or',
    everyDay:
      days.lo === ALL_DAYS_LO && days.hi === ALL_DAYS_HI && (weekdays.lo & 0x7f) === 0x7f && parser.special === null,
    hourWildcard: hourText === '*' || hourText.startsWith('*/'),
    special: parser.special,
  };
  return { pattern, diagnostics: parser.diagnostics, fields, normalized };
}
