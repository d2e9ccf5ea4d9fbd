// The six cron fields: their names (as used in messages), ranges and symbolic names.

export interface FieldSpec {
  /** Name used in messages: "hour 25 is out of range 0-23". */
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Three-letter names (upper case) mapped to values. */
  readonly names?: Readonly<Record<string, number>>;
}

const MONTH_NAMES = {
  JAN: 1,
  FEB: 2,
  MAR: 3,
  APR: 4,
  MAY: 5,
  JUN: 6,
  JUL: 7,
  AUG: 8,
  SEP: 9,
  OCT: 10,
  NOV: 11,
  DEC: 12,
};

const WEEKDAY_NAMES = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };

export const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
export const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59 };
export const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23 };
export const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31 };
export const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: MONTH_NAMES };
/** 0 and 7 are both Sunday. */
export const DAY_OF_WEEK: FieldSpec = { name: 'day-of-week', min: 0, max: 7, names: WEEKDAY_NAMES };

/** Field order of a 6-field expression; a 5-field one starts at MINUTE. */
export const FIELDS_WITH_SECONDS: readonly FieldSpec[] = [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK];

/** `@nicknames` and the 5-field patterns they stand for. */
export const NICKNAMES: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
