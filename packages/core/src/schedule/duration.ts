// Duration strings ('90s', '5m', '1h30m', '2d') to milliseconds, with positioned errors.

import { errorDiagnostic, ScheduleCode, type ScheduleDiagnostic } from './diagnostics.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** The largest duration a Date can step by (the whole range of ECMAScript time values). */
export const MAX_DURATION_MS = 8.64e15;

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

const UNIT_WORDS: [number, string][] = [
  [604_800_000, 'week'],
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1000, 'second'],
  [1, 'millisecond'],
];

/** "1 hour 30 minutes" */
export function durationInWords(ms: number): string {
  const words: string[] = [];
  let rest = ms;
  // Weeks only when exact: "30 days" reads better than "4 weeks 2 days".
  const units = ms % 604_800_000 === 0 ? UNIT_WORDS : UNIT_WORDS.slice(1);
  for (const [size, word] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) words.push(`${count} ${word}${count === 1 ? '' : 's'}`);
    rest -= count * size;
  }
  return words.join(' ');
}

/** "1h30m" */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
    [1, 'ms'],
  ];
  let rest = ms;
  let text = '';
  for (const [size, unit] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}
