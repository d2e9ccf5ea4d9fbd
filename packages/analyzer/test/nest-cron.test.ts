import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { cron, type DayMatch } from '@tickwise/core/schedule';
import fc from 'fast-check';
import { readCronDialect } from '../src/dialects.js';
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

// cron@2.4.3 (installed as `cron2`): what @nestjs/schedule < 4 runs.
const { CronTime: CronTime2 } = require('cron2') as {
  CronTime: new (
    source: string,
    zone?: string,
  ) => { getNextDateFrom(start: Date, zone?: string): { toMillis(): number } };
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
      ['0 0 L * *', /'L' is not supported by cron@4 \(it rejects L, W, # and \?\): 'L' in day-of-month/],
      ['0 0 ? * *', /'\?' is not supported by cron@4/],
      ['0 0 * * 1#2', /'#' is not supported by cron@4 .*: '1#2' in day-of-week/],
      ['0 0 15W * *', /'W' is not supported by cron@4 .*: '15W' in day-of-month/],
      ['0 0 * *', /expected 5 or 6 fields for cron@4, got 4/],
      ['0 0 5-1 * *', /day-of-month range 5-1 runs backwards \(cron@4\)/],
      ['0 0 * * JANUARY', /'UAR' is not a name cron@4 knows \(only JAN-DEC and SUN-SAT\): 'JANUARY' in day-of-week/],
    ] as const) {
      const result = convertNestCron(text, { monthsFromZero: false });
      assert.ok('reason' in result, text);
      assert.match(result.reason, why);
      assert.match(result.reason, /@nestjs\/schedule throws at start-up, so this job never ran: fix it by hand$/);
      assert.throws(() => new CronTime(text), text);
    }
  });

  // Each of these was read differently by the codemod's own cron grammar and by the analyzer's
  // (dialects.ts) before the codemod took its verdicts from dialects.ts; the real cron decides.
  it('cron@2: @yearly is January 1st (its preset is written in months 0-11), not February', () => {
    const yearly = convertNestCron('@yearly', { monthsFromZero: true });
    assert.deepEqual(yearly, { text: '0 0 0 1 1 *', zoneFree: false });
    assert.equal(new CronTime2('@yearly', 'UTC').getNextDateFrom(FROM, 'UTC').toMillis(), Date.UTC(2027, 0, 1));
    assert.deepEqual(readCronDialect('@yearly', 'cron2'), { ok: true, expression: '0 0 0 1 1 *', dayMatch: 'or' });
  });

  it('cron@2: day-of-week 7 is out of range (0-6), so Nest before 4 throws', () => {
    const seven = convertNestCron('0 0 * * 7', { monthsFromZero: true });
    assert.ok('reason' in seven);
    assert.match(seven.reason, /day-of-week 7 is out of range 0-6 for cron@2; @nestjs\/schedule throws at start-up/);
    assert.throws(() => new CronTime2('0 0 * * 7', 'UTC'), /out of range/);
    assert.deepEqual(convertNestCron('0 0 * * 7', { monthsFromZero: false }), { text: '0 0 * * 7', zoneFree: false });
  });

  it("'*' may start any item of a list, not only the first (cron checks each item)", () => {
    for (const [text, written] of [
      ['0 5,* * * *', '0 5,* * * *'],
      ['0 0 1,*/2 * 1-5', '0 0 1,*/2 * 1-5'],
    ] as const) {
      new CronTime(text, 'UTC');
      const converted = convertNestCron(text, { monthsFromZero: false });
      assert.deepEqual(converted, { text: written, zoneFree: false });
      assert.deepEqual(tickwiseRuns(text, 'UTC', FROM, 40), cronRuns(text, 'UTC', FROM, 40));
    }
    const read = readCronDialect('0 5,* * * *', 'cron4');
    assert.deepEqual(read, { ok: true, expression: '0 0 * * * *', dayMatch: 'or' });
    assert.equal(readCronDialect('0 5* * * *', 'cron4').ok, false);
  });

  it('a preset with spaces around it is not a preset to cron (it throws), whatever the version', () => {
    for (const monthsFromZero of [false, true]) {
      const result = convertNestCron(' @daily', { monthsFromZero });
      assert.ok('reason' in result);
      assert.match(result.reason, /takes the preset '@daily' only with nothing around it/);
    }
    assert.throws(() => new CronTime(' @daily'), /Unknown alias/);
    assert.throws(() => new CronTime2(' @daily'), /Unknown alias/);
  });

  it('a name out of its place (JAN in day-of-week, */MON, JAN1) runs under cron, but is left to a person', () => {
    for (const [text, why] of [
      ['0 0 * * JAN', /'JAN' in day-of-week: cron@4 reads it as '1'/],
      ['0 */mon * * *', /'\*\/mon' in hour: cron@4 reads it as '\*\/1'/],
      ['0 0 1 jan1 *', /'jan1' in month: cron@4 reads it as '11'/],
    ] as const) {
      new CronTime(text, 'UTC');
      const result = convertNestCron(text, { monthsFromZero: false });
      assert.ok('reason' in result, text);
      assert.match(result.reason, why);
      assert.match(
        result.reason,
        /runs under @nestjs\/schedule, but the codemod cannot predict when: .*, or convert it by hand$/,
      );
      assert.equal(readCronDialect(text, 'cron4').ok, 'unsupported');
    }
  });

  it('a step longer than the field (cron takes it, Tickwise does not) is written out as the values it selects', () => {
    for (const [text, written] of [
      ['20 18,48 * * * 1-7/35', '20 18,48 * * * 1'],
      ['0 14/60 * * *', '0 14 * * *'],
      ['0 0 9 3-8/44 * *', '0 0 9 3 * *'],
    ] as const) {
      assert.deepEqual(convertNestCron(text, { monthsFromZero: false }), { text: written, zoneFree: false });
      assert.deepEqual(tickwiseRuns(text, 'UTC', FROM, 20), cronRuns(text, 'UTC', FROM, 20), text);
    }
  });

  it("day-of-week '1/3': cron@4 steps up to 7 (Sunday again), Tickwise to Saturday, so the days are written out", () => {
    assert.deepEqual(convertNestCron('0 9 * * 1/3', { monthsFromZero: false }), {
      text: '0 9 * * 0-1,4',
      zoneFree: false,
    });
    assert.deepEqual(tickwiseRuns('0 9 * * 1/3', 'UTC', FROM, 20), cronRuns('0 9 * * 1/3', 'UTC', FROM, 20));
    // cron@2 stops at Saturday as Tickwise does: kept.
    assert.deepEqual(convertNestCron('0 9 * * 1/3', { monthsFromZero: true }), {
      text: '0 9 * * 1/3',
      zoneFree: false,
    });
  });

  it("cron@2: day-of-week 'MON/1' is Monday to Saturday, so it restricts (OR with the day of the month)", () => {
    assert.deepEqual(convertNestCron('49 15 22/7 * MON/1', { monthsFromZero: true }), {
      text: '49 15 22/7 * MON/1',
      zoneFree: false,
    });
    assert.equal(
      (convertNestCron('* * * * * MON/1', { monthsFromZero: true }) as { zoneFree: boolean }).zoneFree,
      false,
    );
    assert.deepEqual(readCronDialect('49 15 22/7 * MON/1', 'cron2'), {
      ok: true,
      expression: '0 49 15 22,29 * 1-6',
      dayMatch: 'or',
    });
  });

  it("cron@2 reads a step written '00' as 1 (only '0' is refused): left to a person", () => {
    new CronTime2('*/00 * * * *', 'UTC');
    assert.throws(() => new CronTime('*/00 * * * *', 'UTC'), /step of zero/);
    const two = convertNestCron('*/00 * * * *', { monthsFromZero: true });
    assert.ok('reason' in two);
    assert.match(two.reason, /cron@2 refuses only a step written '0', and reads this one as 1/);
    const four = convertNestCron('*/00 * * * *', { monthsFromZero: false });
    assert.ok('reason' in four);
    assert.match(four.reason, /step '00' in minute must be a positive number; @nestjs\/schedule throws at start-up/);
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

// Random cron strings: well formed (the field's own numbers and names, steps long and short) and
// strange (numbers past the range, names anywhere, specials, stray stars, wrong field counts).
const MONTHS = ['jan', 'FEB', 'Mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'MON', 'Tue', 'wed', 'thu', 'fri', 'sat'];
const step = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 9 }).map(String) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 70 }).map(String) },
);
/** An item of a field of `low`-`high` (names for `low`, `low + 1`, ... when given). */
const wellFormed = (low: number, high: number, names: readonly string[] = []) => {
  const value = fc.integer({ min: low, max: high });
  const written = (v: number) =>
    fc.oneof({ weight: 3, arbitrary: fc.constant(String(v)) }, fc.constant(names[v - low] ?? String(v)));
  const range = fc
    .tuple(value, value)
    .chain(([a, b]) => fc.tuple(written(Math.min(a, b)), written(Math.max(a, b))).map(([x, y]) => `${x}-${y}`));
  return fc.oneof(
    { weight: 4, arbitrary: value.chain(written) },
    { weight: 2, arbitrary: range },
    { weight: 2, arbitrary: fc.tuple(range, step).map(([r, s]) => `${r}/${s}`) },
    { weight: 2, arbitrary: fc.tuple(value.chain(written), step).map(([v, s]) => `${v}/${s}`) },
    { weight: 1, arbitrary: step.map((s) => `*/${s}`) },
  );
};
const STRANGE = ['L', 'LW', '15W', '5L', '1#2', '?', '**', '*-3', '1*', 'jan1', '*/mon', 'MON', 'x', 'june', '', '*/0'];
const strange = (high: number) =>
  fc.oneof(
    fc.constantFrom(...STRANGE),
    fc.integer({ min: high + 1, max: high + 3 }).map(String),
    fc.integer({ min: 0, max: 7 }).map((v) => `${v}-0`),
  );
const field = (item: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant('*') },
    { weight: 3, arbitrary: fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => items.join(',')) },
  );
/** Six fields, each well formed or (now and then) strange; cron@2 counts months 0-11, day-of-week 0-6. */
const fields = (cron2: boolean, strangeness: number) => {
  const one = (low: number, high: number, names?: readonly string[]) =>
    field(
      fc.oneof(
        { weight: 100 - strangeness, arbitrary: wellFormed(low, high, names) },
        { weight: strangeness, arbitrary: strange(high) },
      ),
    );
  return fc.tuple(
    one(0, 59),
    one(0, 59),
    one(0, 23),
    one(1, 31),
    cron2 ? one(0, 11, MONTHS) : one(1, 12, MONTHS),
    cron2 ? one(0, 6, DAYS) : one(0, 7, DAYS),
  );
};
const nestCron = (cron2: boolean) =>
  fc.oneof(
    { weight: 12, arbitrary: fields(cron2, 1).map((six) => six.join(' ')) },
    { weight: 6, arbitrary: fields(cron2, 1).map((six) => six.slice(1).join(' ')) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fields(cron2, 20), fc.constantFrom(4, 5, 6, 7))
        .map(([six, count]) => (count > 6 ? [...six, '*'] : six.slice(6 - count)).join(' ')),
    },
    { weight: 1, arbitrary: fc.constantFrom('@yearly', '@WEEKDAYS', '@weekends', '@hourly', ' @daily', '@annually') },
  );
const STARTS = [new Date('2026-05-03T10:17:23Z'), new Date('2027-02-27T23:59:59Z'), new Date('2028-12-31T12:00:00Z')];

/** The next 20 runs through @tickwise/core, or the code it throws (TW108: never fires). */
function coreRuns(text: string, dayMatch: DayMatch | undefined, from: Date): string[] | string {
  try {
    return cron(text, { timezone: 'Europe/Berlin', ...(dayMatch && { dayMatch }) })
      .nextRuns(20, from)
      .map((d) => d.toISOString());
  } catch (error) {
    return String((error as { code?: string }).code ?? error);
  }
}

describe('migrate: the codemod reads a cron string as the analyzer does (property tests)', () => {
  for (const [dialect, Library] of [
    ['cron4', CronTime],
    ['cron2', CronTime2],
  ] as const) {
    it(`${dialect}: convertNestCron accepts what readCronDialect accepts, cron throws for what they reject, and the rewrite runs as the analyzer's reading`, () => {
      const warn = console.warn;
      console.warn = () => {}; // cron@2 warns about days a month lacks ('Month '1' is limited to '29' days.')
      try {
        fc.assert(
          fc.property(nestCron(dialect === 'cron2'), (text) => {
            const read = readCronDialect(text, dialect);
            const converted = convertNestCron(text, { monthsFromZero: dialect === 'cron2' });
            assert.equal('reason' in converted, read.ok !== true, JSON.stringify({ read, converted }));
            let throws = false;
            try {
              new Library(text, 'UTC');
            } catch {
              throws = true;
            }
            // 'unsupported': cron runs it, but neither reader predicts it.
            assert.equal(throws, read.ok === false, `cron ${throws ? 'throws' : 'runs'}: ${JSON.stringify(read)}`);
            if (read.ok !== true || 'reason' in converted) return;
            for (const from of STARTS) {
              assert.deepEqual(
                coreRuns(converted.text, converted.dayMatch, from),
                coreRuns(read.expression, read.dayMatch, from),
                `'${converted.text}' (${converted.dayMatch}) against '${read.expression}' (${read.dayMatch})`,
              );
            }
          }),
          { numRuns: 1500 },
        );
      } finally {
        console.warn = warn;
      }
    });
  }
});
