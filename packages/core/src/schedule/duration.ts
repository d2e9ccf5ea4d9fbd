// Durations: strings ('90s', '5m', '1h30m', '2d') to milliseconds with positioned errors, and
// milliseconds back to '1h30m' or '1 hour 30 minutes'.

import { MAX_TIME_MS, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND } from './calendar.js';
import { errorDiagnostic, ScheduleCode, type ScheduleDiagnostic } from './diagnostics.js';

/**
 * Milliseconds in each unit a duration string accepts ('90s', '1h30m', '2w'). The one table of
 * unit sizes: the analyzer and the adapters derive their own unit names (a library's option
 * names, words for people) from it rather than writing the numbers again.
 */
export const DURATION_UNIT_MS = Object.freeze({
  ms: 1,
  s: MS_PER_SECOND,
  m: MS_PER_MINUTE,
  h: MS_PER_HOUR,
  d: MS_PER_DAY,
  w: 7 * MS_PER_DAY,
});

/** The same table, looked up by whatever unit the input spelled. */
const UNIT_MS: Readonly<Record<string, number>> = DURATION_UNIT_MS;

/** The largest duration a Date can step by (the whole range of ECMAScript time values). */
export const MAX_DURATION_MS = MAX_TIME_MS;

export interface ParsedDuration {
  ms: number;
  diagnostics: ScheduleDiagnostic[];
}

const UNIT_HINT = "use ms, s, m, h, d or w, e.g. '90s', '5m' or '1h30m'";

/** Parses a duration string or a number of milliseconds. Never throws; ms is NaN on error. */
export function parseDuration(input: string | number): ParsedDuration {
  if (typeof input === 'number') return checkMilliseconds(input, String(input));
  const text = input;
  const fail = (message: string, start: number, end: number): ParsedDuration => ({
    ms: Number.NaN,
    diagnostics: [errorDiagnostic(ScheduleCode.BadDuration, message, start, end)],
  });
  const leading = text.length - text.trimStart().length;
  const body = text.trim();
  if (body === '') return fail('the duration is empty', 0, text.length);
  if (/^\d+$/.test(body)) return checkMilliseconds(Number(body), text, leading);
  const part = /(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*/y;
  let total = 0;
  let index = 0;
  while (index < body.length) {
    part.lastIndex = index;
    const match = part.exec(body);
    if (!match) {
      const at = leading + index;
      const rest = /^[^\d\s]+/.exec(body.slice(index))?.[0] ?? body.slice(index, index + 1);
      const message = /^\d/.test(body.slice(index))
        ? `duration '${body}' needs a unit after the number (${UNIT_HINT})`
        : `duration '${body}': '${rest}' is not a number (${UNIT_HINT})`;
      return fail(message, at, at + Math.max(rest.length, 1));
    }
    const unit = (match[2] as string).toLowerCase();
    const factor = UNIT_MS[unit];
    if (factor === undefined) {
      const unitStart = leading + index + match[0].indexOf(match[2] as string);
      return fail(
        `duration '${body}': '${match[2]}' is not a unit (${UNIT_HINT})`,
        unitStart,
        unitStart + (match[2] as string).length,
      );
    }
    total += Number(match[1]) * factor;
    index = part.lastIndex;
  }
  return checkMilliseconds(total, text, leading, leading + body.length);
}

function checkMilliseconds(ms: number, text: string, start = 0, end = text.length): ParsedDuration {
  const fail = (message: string): ParsedDuration => ({
    ms: Number.NaN,
    diagnostics: [errorDiagnostic(ScheduleCode.BadDuration, message, start, end)],
  });
  if (!Number.isFinite(ms)) return fail(`duration ${text} is not a finite number of milliseconds`);
  if (ms <= 0) return fail(`duration ${text} must be more than 0`);
  if (!Number.isInteger(ms)) return fail(`duration ${text} is not a whole number of milliseconds`);
  if (ms > MAX_DURATION_MS) return fail(`duration ${text} is longer than the ${MAX_DURATION_MS} ms a date can span`);
  return { ms, diagnostics: [] };
}

const UNIT_WORDS: readonly (readonly [number, string])[] = [
  [DURATION_UNIT_MS.w, 'week'],
  [DURATION_UNIT_MS.d, 'day'],
  [DURATION_UNIT_MS.h, 'hour'],
  [DURATION_UNIT_MS.m, 'minute'],
  [DURATION_UNIT_MS.s, 'second'],
  [DURATION_UNIT_MS.ms, 'millisecond'],
];
/** formatDuration's units: no weeks, so '14d' rather than '2w'. */
const SHORT_UNITS: readonly (readonly [number, string])[] = [
  [DURATION_UNIT_MS.d, 'd'],
  [DURATION_UNIT_MS.h, 'h'],
  [DURATION_UNIT_MS.m, 'm'],
  [DURATION_UNIT_MS.s, 's'],
  [DURATION_UNIT_MS.ms, 'ms'],
];

/** "1 hour 30 minutes" */
export function durationInWords(ms: number): string {
  const words: string[] = [];
  let rest = ms;
  // Weeks only when exact: "30 days" reads better than "4 weeks 2 days".
  const units = ms % DURATION_UNIT_MS.w === 0 ? UNIT_WORDS : UNIT_WORDS.slice(1);
  for (const [size, word] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) words.push(`${count} ${word}${count === 1 ? '' : 's'}`);
    rest -= count * size;
  }
  return words.join(' ');
}

/** "1h30m" */
export function formatDuration(ms: number): string {
  let rest = ms;
  let text = '';
  for (const [size, unit] of SHORT_UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}
