import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { cron } from '@tickwise/core/schedule';
import { nestRules } from '../src/library-semantics.js';
import { convertNestCron } from '../src/migrate/nest-cron.js';

// The real cron@4 package (what @nestjs/schedule 4+ runs), a devDependency of the analyzer.
const require = createRequire(import.meta.url);
const { CronTime } = require('cron') as {
  CronTime: new (
    source: string,
    zone?: string | null,
    offset?: number | null,
  ) => {
    getNextDateFrom(start: Date, zone?: string): { toMillis(): number };
  };
};

function cronRuns(expression: string, zone: string, from: Date, count: number): string[] {
  const time = new CronTime(expression, zone);
  const runs: string[] = [];
  let at = from;
  for (let i = 0; i < count; i++) {
    at = new Date(time.getNextDateFrom(at, zone).toMillis());
    runs.push(at.toISOString());
  }
  return runs;
}

function tickwiseRuns(expression: string, zone: string, from: Date, count: number): string[] {
  const converted = convertNestCron(expression, { monthsFromZero: false });
  if ('reason' in converted) throw new Error(converted.reason);
  return cron(converted.text, { timezone: zone, ...(converted.dayMatch && { dayMatch: converted.dayMatch }) })
    .nextRuns(count, from)
    .map((d) => d.toISOString());
}

const FROM = new Date('2026-05-03T10:17:23Z');
// The real enum of the installed @nestjs/schedule 6 (run here as the oracle, never by the codemod).
const installed = new Map(
  Object.entries((require('@nestjs/schedule') as { CronExpression: Record<string, string> }).CronExpression),
);
const nest6 = nestRules('6.1.3');

describe('migrate: a @nestjs/schedule cron string fires at the same instants in Tickwise (against cron@4 itself)', () => {
  it('knows all 83 CronExpression members of the installed package, with their values', () => {
    assert.equal(installed.size, 83);
    for (const [member, value] of installed) assert.equal(nest6.member(member), value, member);
  });

  it('every CronExpression member: the same next runs, in UTC and in Europe/Berlin (a summer stretch)', () => {
    for (const [member, value] of installed) {
      // cron@4 gives up 8 years after today: fewer yearly runs.
      const count = member === 'EVERY_YEAR' ? 6 : 12;
      for (const zone of ['UTC', 'Europe/Berlin']) {
        assert.deepEqual(
          tickwiseRuns(value, zone, FROM, count),
          cronRuns(value, zone, FROM, count),
          `${member} in ${zone}`,
        );
      }
    }
  });

  const DAY_RULES: [string, string, string | undefined][] = [
    // cron ORs the day fields when both select less than everything, whatever they look like.
    ['0 0 */2 * 1-5', '0 0 1-31/2 * 1-5', undefined],
    ['0 0 1,15 * 1', '0 0 1,15 * 1', undefined],
    ['0 12 */10 * */2', '0 12 1-31/10 * 0-6/2', undefined],
    // ... and reads a field that selects everything as no restriction (AND with the other).
    ['0 0 1-31 * 1-5', '0 0 1-31 * 1-5', 'and'],
    ['0 0 13 * 0-6', '0 0 13 * 0-6', 'and'],
    ['0 0 13 * 1-7', '0 0 13 * 1-7', 'and'],
    ['0 0 * * MON-WED', '0 0 * * MON-WED', undefined],
    ['0 0 1 JAN-JUN *', '0 0 1 JAN-JUN *', undefined],
    ['@weekdays', '0 0 0 * * 1-5', undefined],
    ['@yearly', '0 0 0 1 1 *', undefined],
  ];
  for (const [nest, written, dayMatch] of DAY_RULES) {
    it(`'${nest}' is written '${written}'${dayMatch ? ` with dayMatch '${dayMatch}'` : ''} and fires when cron fires`, () => {
      const converted = convertNestCron(nest, { monthsFromZero: false });
      assert.deepEqual(converted, { text: written, ...(dayMatch && { dayMatch }), zoneFree: false });
      const count = nest === '@yearly' ? 6 : 40;
      assert.deepEqual(tickwiseRuns(nest, 'UTC', FROM, count), cronRuns(nest, 'UTC', FROM, count));
    });
  }

  it('cron@2 (@nestjs/schedule < 4) counts months from 0: they move up by one, names stay', () => {
    const shift = (text: string) => convertNestCron(text, { monthsFromZero: true });
    assert.deepEqual(shift('0 0 1 0 *'), { text: '0 0 1 1 *', zoneFree: false });
    assert.deepEqual(shift('0 0 9 1 5,11 *'), { text: '0 0 9 1 6,12 *', zoneFree: false });
    assert.deepEqual(shift('0 0 1 0-2/2 *'), { text: '0 0 1 1-3/2 *', zoneFree: false });
    assert.deepEqual(shift('0 0 1 */3 *'), { text: '0 0 1 */3 *', zoneFree: false });
    assert.deepEqual(shift('0 0 1 JUN *'), { text: '0 0 1 JUN *', zoneFree: false });
    assert.match((shift('0 0 1 12 *') as { reason: string }).reason, /out of range 0-11/);
    assert.equal(nestRules('3.0.4').member('EVERY_YEAR'), '0 0 1 0 *');
  });

  it('refuses what cron rejects (Nest fails at start-up), naming the part', () => {
    for (const [text, why] of [
      ['0 0 L * *', /'L' is not a name cron knows/],
      ['0 0 ? * *', /cannot be parsed by cron/],
      ['0 0 * * 1#2', /cannot be parsed by cron/],
      ['0 0 15W * *', /'W' is not a name cron knows/],
      ['0 0 * *', /has 4 fields/],
      ['0 0 5-1 * *', /range that runs backwards/],
    ] as const) {
      const result = convertNestCron(text, { monthsFromZero: false });
      assert.ok('reason' in result, text);
      assert.match(result.reason, why);
      assert.match(result.reason, /never (ran|started)/);
    }
  });

  it('knows which schedules fire at the same instants in every zone (no --timezone needed)', () => {
    const free = (text: string) => (convertNestCron(text, { monthsFromZero: false }) as { zoneFree: boolean }).zoneFree;
    assert.equal(free('*/10 * * * * *'), true);
    assert.equal(free('0 */5 * * * *'), true);
    assert.equal(free('*/15 * * * *'), true);
    assert.equal(free('0 */30 * * * *'), false); // :00 and :30 are :15 and :45 in a +05:45 zone
    assert.equal(free('0 * * * *'), false);
    assert.equal(free('0 0 * * *'), false);
  });
});
