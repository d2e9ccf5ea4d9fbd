// The options objects of cron() and every(), checked where they are called: a misspelled key
// (`timeZone` for `timezone`, as @nestjs/schedule spells it) would otherwise be ignored and the
// schedule read in UTC, silently. Job options are checked more fully in options/; these checks are
// for the schedule functions called directly.

import type { DayMatch } from './parse-cron.js';

const DAY_MATCH: readonly DayMatch[] = ['or', 'and'];

/** Throws a TypeError naming the call, the key and the closest known key (a case slip). */
function checkKeys(call: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const close = known.find((name) => name.toLowerCase() === key.toLowerCase());
    const hint = close ? ` (did you mean '${close}'?)` : '';
    throw new TypeError(`${call}: unknown option '${key}'${hint}; the options are ${known.join(', ')}`);
  }
}

function checkObject(call: string, options: unknown): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${call}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
}

export function checkCronOptions(expression: string, options: unknown): void {
  const call = `cron('${expression}')`;
  checkObject(call, options);
  checkKeys(call, options, ['timezone', 'dayMatch']);
  const { timezone, dayMatch } = options as { timezone?: unknown; dayMatch?: unknown };
  if (timezone !== undefined && typeof timezone !== 'string') {
    throw new TypeError(`${call}: timezone must be an IANA zone name such as 'Europe/Berlin', got ${typeof timezone}`);
  }
  if (dayMatch !== undefined && !DAY_MATCH.includes(dayMatch as DayMatch)) {
    throw new TypeError(
      `${call}: dayMatch must be 'or' (either day field matches) or 'and' (both must), got ${JSON.stringify(dayMatch) ?? String(dayMatch)}`,
    );
  }
}

export function checkEveryOptions(duration: string | number, options: unknown): void {
  const call = `every(${JSON.stringify(duration)})`;
  checkObject(call, options);
  checkKeys(call, options, ['anchor']);
}
