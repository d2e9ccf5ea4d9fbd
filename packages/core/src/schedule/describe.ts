// Plain-English descriptions of cron expressions, via cronstrue (only ever given expressions our
// parser accepted: cronstrue happily describes invalid ones). cronstrue is loaded on the first
// describe(), not when the package is imported: it costs ~25 ms of every import otherwise.

import { createRequire } from 'node:module';
import type { DayMatch } from './parse-cron.js';

interface Cronstrue {
  toString(expression: string, options: Record<string, unknown>): string;
}

const OPTIONS = {
  use24HourTimeFormat: true,
  dayOfWeekStartIndexZero: true,
  throwExceptionOnParseError: true,
  verbose: false,
};

let cronstrue: Cronstrue | undefined;

/**
 * cronstrue, required on first use so describe() stays synchronous. `#cronstrue` (package.json
 * `imports`) is the English-only build copied into dist/ at build time, or the cronstrue package
 * itself for this repository's tests (the `tickwise-source` condition). A bundler that turns this
 * module into CommonJS (the VS Code extension's esbuild) sees the plain `require` and bundles it;
 * as ESM on Node, `require` is not defined and createRequire finds it.
 */
function loadCronstrue(): Cronstrue {
  if (!cronstrue) {
    const loaded = (
      typeof require === 'function' ? require('#cronstrue') : createRequire(import.meta.url)('#cronstrue')
    ) as Cronstrue | { default: Cronstrue };
    cronstrue =
      'default' in loaded && typeof loaded.default?.toString === 'function' ? loaded.default : (loaded as Cronstrue);
  }
  return cronstrue;
}

function say(expression: string): string {
  return loadCronstrue().toString(expression, OPTIONS);
}

/** How the two day fields combine, when both are restricted; null when at most one is. */
export type DayRule = DayMatch | null;

/**
 * "At 09:00, Monday through Friday (Europe/Berlin)". `dayRule` says how day-of-month and
 * day-of-week combine when both are restricted: the text says "or" or "if it is", since
 * cronstrue's own wording ("and on Monday") reads the same for both.
 */
export function describeCron(normalized: string, timezone: string, dayRule: DayRule = null): string {
  let text: string;
  try {
    const fields = normalized.split(' ');
    const dayOfMonth = fields[fields.length - 3] as string;
    const needsOwnWords = dayRule !== null || (dayOfMonth.includes('W') && dayOfMonth.includes(','));
    text = needsOwnWords ? describeDays(fields, dayRule) : say(normalized);
  } catch {
    text = `Cron '${normalized}'`;
  }
  return `${text} (${timezone})`;
}

/** cronstrue's phrase for one day or month field, without the "At 00:00, " it starts with. */
function phrase(expression: string): string {
  const said = say(expression);
  if (!said.startsWith('At 00:00, ')) throw new Error(`unexpected description '${said}'`);
  return said.slice('At 00:00, '.length);
}

/** A day-of-month list with W in it (cronstrue describes W only alone): "on day 1 and the weekday nearest day 15". */
function dayOfMonthList(field: string): string {
  const items = field.split(',').map((item) => {
    if (item === 'L') return 'the last day';
    if (item === 'LW') return 'the last weekday';
    const nearest = /^(\d+)W$/.exec(item);
    if (nearest) return `the weekday nearest day ${Number(nearest[1])}`;
    if (/^\d+$/.test(item)) return `day ${Number(item)}`;
    const range = /^(\d+)-(\d+)$/.exec(item);
    if (range) return `days ${Number(range[1])} through ${Number(range[2])}`;
    throw new Error(`no words for '${item}'`);
  });
  const last = items.pop() as string;
  return `on ${items.length > 0 ? `${items.join(', ')} and ${last}` : last} of the month`;
}

/** The description built from its parts: the time, the day rule (with "or" / "if it is"), the months. */
function describeDays(fields: string[], dayRule: DayRule): string {
  const [dayOfMonth, month, dayOfWeek] = fields.slice(-3) as [string, string, string];
  const time = say([...fields.slice(0, -3), '*', '*', '*'].join(' '));
  const monthDays =
    dayOfMonth.includes('W') && dayOfMonth.includes(',') ? dayOfMonthList(dayOfMonth) : phrase(`0 0 ${dayOfMonth} * *`);
  let days = monthDays;
  if (dayRule !== null) {
    // cronstrue lists weekdays with "and" ("only on Monday and Friday"); either one matches.
    const weekdays = phrase(`0 0 * * ${dayOfWeek}`)
      .replace(/^only /, '')
      .replace(/ and /g, ' or ');
    const bare = weekdays.replace(/^on /, '');
    days = dayRule === 'or' ? `${monthDays}, or on ${bare}` : `${monthDays}, if it is ${bare}`;
  }
  const months = month === '*' ? '' : `, ${phrase(`0 0 * ${month} *`)}`;
  return `${time}, ${days}${months}`;
}
