import assert from 'node:assert/strict';
import { cron, validateSchedule } from '@tickwise/core';
import fc from 'fast-check';

// Weekday and month names contain the letters of the specials (WED, JUL, APR…): each documented form
// written with names must mean exactly what it means with numbers. Reported: MON-WED, TUE-WED,
// WED-FRI, JUN-JUL, JAN-JUL and WED/2 were rejected with TW110.

const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const FROM = new Date('2026-01-01T00:00:00Z');

const runs = (expression: string): string[] =>
  cron(expression)
    .nextRuns(12, FROM)
    .map((d) => d.toISOString());

/** A field item in every documented form, written with numbers; `name` turns a number into its name. */
const itemOf = (min: number, max: number) =>
  fc.oneof(
    fc.integer({ min, max }).map((a) => [a]),
    fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => [Math.min(a, b), '-', Math.max(a, b)]),
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min, max }), fc.integer({ min: 1, max: max - min }))
      .map(([a, b, step]) => [Math.min(a, b), '-', Math.max(a, b), `/${step}`]),
    fc.tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: max - min })).map(([a, step]) => [a, `/${step}`]),
  );

const fieldOf = (min: number, max: number) => fc.array(itemOf(min, max), { minLength: 1, maxLength: 3 });

type Field = (number | string)[][];

const write = (field: Field, name: (n: number) => string, lower: boolean): string =>
  field
    .map((item) =>
      item.map((part) => (typeof part === 'number' ? (lower ? name(part).toLowerCase() : name(part)) : part)).join(''),
    )
    .join(',');

describe('cron names mean what their numbers mean, in every documented form', () => {
  for (const [text, numeric] of [
    ['0 9 * * MON-WED', '0 9 * * 1-3'],
    ['0 9 * * TUE-WED', '0 9 * * 2-3'],
    ['0 9 * * WED-FRI', '0 9 * * 3-5'],
    ['0 9 1 JUN-JUL *', '0 9 1 6-7 *'],
    ['0 9 1 JAN-JUL *', '0 9 1 1-7 *'],
    ['0 9 * * WED/2', '0 9 * * 3/2'],
    ['0 9 * * wed-fri', '0 9 * * 3-5'],
    ['0 9 * APR,JUL,AUG WED', '0 9 * 4,7,8 3'],
    ['0 9 * * WED#2', '0 9 * * 3#2'],
    ['0 9 * * WEDL', '0 9 * * 3L'],
  ] as const) {
    it(`'${text}' is valid and runs as '${numeric}'`, () => {
      assert.deepEqual(validateSchedule(text), []);
      assert.deepEqual(runs(text), runs(numeric));
    });
  }

  it('any weekday and month field in names (ranges, steps, lists, either case) runs as its numbers', () => {
    fc.assert(
      fc.property(fieldOf(1, 12), fieldOf(0, 6), fc.boolean(), (months, weekdays, lower) => {
        const numeric = `0 9 * ${write(months, String, false)} ${write(weekdays, String, false)}`;
        const named = `0 9 * ${write(
          months,
          (n) => MONTHS[n - 1] as string,
          lower,
        )} ${write(weekdays, (n) => WEEKDAYS[n] as string, lower)}`;
        const codes = (text: string) => validateSchedule(text, { from: FROM }).map((d) => d.code);
        assert.deepEqual(codes(named), codes(numeric), named);
        assert.deepEqual(runs(named), runs(numeric), named);
      }),
      { numRuns: 400 },
    );
  });

  it('the specials are still refused where they do not belong, names or not', () => {
    for (const text of ['0 9 * JUL-L *', '0 9 * * MON-W', '0 9 * JUL# *', '0 9 * * LW']) {
      const codes = validateSchedule(text).map((d) => d.code);
      assert.deepEqual(codes, ['TW110'], text);
    }
  });

  it('an unknown word is still an unknown name, not a special', () => {
    assert.deepEqual(
      validateSchedule('0 9 * * WEN').map((d) => [d.code, d.message]),
      [['TW106', "unknown day-of-week name 'WEN' (use SUN, MON, TUE, …)"]],
    );
  });
});
