import assert from 'node:assert/strict';
import { cron, type ScheduleDiagnostic, ScheduleError, validateSchedule } from '@tickwise/core';

const FROM = new Date('2026-01-01T00:00:00Z');

function only(text: string, options = {}): ScheduleDiagnostic {
  const diagnostics = validateSchedule(text, { from: FROM, ...options });
  assert.equal(diagnostics.length, 1, `expected one diagnostic for '${text}', got ${JSON.stringify(diagnostics)}`);
  return diagnostics[0] as ScheduleDiagnostic;
}

function underlined(text: string, d: ScheduleDiagnostic): string {
  return text.slice(d.start, d.end);
}

describe('validateSchedule: cron errors name the field and point at it', () => {
  const cases: [string, string, string, string][] = [
    // text, code, underlined text, message
    ['0 25 * * *', 'TW103', '25', 'hour 25 is out of range 0-23'],
    ['61 * * * *', 'TW103', '61', 'minute 61 is out of range 0-59'],
    ['0 0 32 * *', 'TW103', '32', 'day-of-month 32 is out of range 1-31'],
    ['0 0 * 13 *', 'TW103', '13', 'month 13 is out of range 1-12'],
    ['0 0 * * 8', 'TW103', '8', 'day-of-week 8 is out of range 0-6 (or 7 for Sunday)'],
    ['60 0 0 * * *', 'TW103', '60', 'second 60 is out of range 0-59'],
    [
      '* * * *',
      'TW101',
      '* * * *',
      'expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 4',
    ],
    [
      '* * * * * * *',
      'TW101',
      '* * * * * * *',
      'expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 7',
    ],
    ['   ', 'TW101', '   ', 'the cron expression is empty'],
    ['0 x * * *', 'TW102', 'x', "hour 'x' is not a number"],
    ['0 1,,2 * * *', 'TW102', ',', 'empty item in hour list'],
    ['0 ,1 * * *', 'TW102', ',', 'empty item in hour list'],
    ['-1 * * * *', 'TW102', '-1', "missing minute value in '-1'"],
    ['0 1- * * *', 'TW102', '1-', "missing hour value in '1-'"],
    ['/5 * * * *', 'TW102', '/5', "missing minute value in '/5'"],
    ['*/0 * * * *', 'TW104', '/0', 'step 0 in minute must be between 1 and 59'],
    ['*/60 * * * *', 'TW104', '/60', 'step 60 in minute must be between 1 and 59'],
    ['0 */a * * *', 'TW104', '/a', "step 'a' in hour is not a positive number"],
    ['5-2 * * * *', 'TW105', '5-2', 'minute range 5-2 runs backwards: start 5 is after end 2'],
    ['0 0 * * FRI-MON', 'TW105', 'FRI-MON', 'day-of-week range FRI-MON runs backwards: start FRI is after end MON'],
    ['0 0 * JANU *', 'TW106', 'JANU', "unknown month name 'JANU' (use JAN, FEB, MAR, …)"],
    ['0 0 * * FRY', 'TW106', 'FRY', "unknown day-of-week name 'FRY' (use SUN, MON, TUE, …)"],
    [
      '@daly',
      'TW106',
      '@daly',
      "unknown nickname '@daly' (known: @yearly @annually @monthly @weekly @daily @midnight @hourly)",
    ],
    [
      '0 0 30 2 *',
      'TW108',
      '30 2 *',
      'this schedule never fires: no date matches its day-of-month, month and day-of-week',
    ],
    [
      '0 0 31 4,6,9,11 *',
      'TW108',
      '31 4,6,9,11 *',
      'this schedule never fires: no date matches its day-of-month, month and day-of-week',
    ],
    ['0 0 * * 5#6', 'TW110', '#6', "'#6' in day-of-week: the occurrence must be 1 to 5"],
    [
      '0 L * * *',
      'TW110',
      'L',
      "'L' in hour: L, W and # work only in the day fields (L, LW, 15W in day-of-month; 5L, 5#3 in day-of-week)",
    ],
    [
      '0 0 W * *',
      'TW110',
      'W',
      "'W' in day-of-month: use L (last day), LW (last weekday) or a day before W (15W = the weekday nearest the 15th); # works only in day-of-week (5#3)",
    ],
    [
      '0 0 * * W',
      'TW110',
      'W',
      "'W' in day-of-week: L and # need a weekday before them (5L = the last Friday, 5#3 = the third Friday); W works only in day-of-month (15W)",
    ],
    ['0 0 ? * ?', 'TW101', '', ''],
  ];
  for (const [text, code, range, message] of cases.slice(0, -1)) {
    it(`'${text}' -> ${code} ${message}`, () => {
      const d = only(text);
      assert.equal(d.code, code);
      assert.equal(d.severity, 'error');
      assert.equal(d.message, message);
      assert.equal(underlined(text, d), range);
    });
  }

  it('reports every bad field, not only the first', () => {
    const diagnostics = validateSchedule('99 25 * * *', { from: FROM });
    assert.deepEqual(
      diagnostics.map((d) => d.message),
      ['minute 99 is out of range 0-59', 'hour 25 is out of range 0-23'],
    );
  });

  it('reports an unknown time zone against the time zone option', () => {
    const d = only('0 9 * * *', { timezone: 'Europe/Berln' });
    assert.equal(d.code, 'TW107');
    assert.equal(d.target, 'timezone');
    assert.match(d.message, /unknown time zone 'Europe\/Berln'/);
  });

  it('@nickname with extra fields points at the extra text', () => {
    const d = only('@daily 5');
    assert.equal(d.code, 'TW101');
    assert.equal(underlined('@daily 5', d), '5');
  });

  it('accepts ? in day fields and rejects it elsewhere', () => {
    assert.deepEqual(validateSchedule('0 0 ? * MON', { from: FROM }), []);
    const d = only('? 0 * * *');
    assert.equal(d.code, 'TW102');
  });
});

describe('validateSchedule: warnings', () => {
  it('*/7 in minutes restarts every hour', () => {
    const d = only('*/7 * * * *');
    assert.equal(d.code, 'TW201');
    assert.equal(d.severity, 'warning');
    assert.equal(d.message, '*/7 in minute restarts every hour: after 56 comes 0, a gap of 4 instead of 7');
    assert.equal(underlined('*/7 * * * *', d), '*/7');
  });

  it('*/5 in minutes and */6 in hours divide evenly: no warning', () => {
    assert.deepEqual(validateSchedule('*/5 */6 * * *', { from: FROM }), []);
  });

  it('a fixed time in a DST gap warns, naming the day and the real run time', () => {
    const d = only('30 2 * * *', { timezone: 'America/New_York' });
    assert.equal(d.code, 'TW202');
    assert.equal(
      d.message,
      '2026-03-08 02:30 does not exist in America/New_York (clocks spring forward); it runs at 03:30 instead',
    );
    assert.equal(underlined('30 2 * * *', d), '2');
  });

  it('a fixed time in a DST overlap warns that it runs once', () => {
    const d = only('30 1 * * *', { timezone: 'America/New_York' });
    assert.equal(d.code, 'TW203');
    assert.equal(
      d.message,
      '2026-11-01 01:30 happens twice in America/New_York (clocks fall back); it runs once, at the first',
    );
  });

  it('wildcard hours and zones without DST do not warn', () => {
    assert.deepEqual(validateSchedule('30 * * * *', { timezone: 'America/New_York', from: FROM }), []);
    assert.deepEqual(validateSchedule('30 2 * * *', { timezone: 'Asia/Tokyo', from: FROM }), []);
  });

  it('an interval under a second is flagged as too frequent', () => {
    const d = only('500ms');
    assert.equal(d.code, 'TW204');
    assert.equal(d.severity, 'warning');
  });
});

describe('validateSchedule: durations and dates', () => {
  it('points at a bad unit', () => {
    const d = only('1h30x');
    assert.equal(d.code, 'TW109');
    assert.equal(underlined('1h30x', d), 'x');
  });

  it('accepts the documented forms', () => {
    for (const text of ['90s', '5m', '1h30m', '2d', '1w', '250ms', '1.5h', '60000']) {
      const errors = validateSchedule(text, { kind: 'every' }).filter((d) => d.severity === 'error');
      assert.deepEqual(errors, [], text);
    }
  });

  it('rejects zero and garbage', () => {
    assert.equal(only('0s', { kind: 'every' }).code, 'TW109');
    assert.equal(only('soon', { kind: 'every' }).code, 'TW109');
    assert.equal(only('', { kind: 'every' }).code, 'TW109');
  });

  it('rejects a date without a zone', () => {
    const d = only('2026-12-01T09:00', { kind: 'at' });
    assert.equal(d.code, 'TW111');
  });
});

describe('cron() throws ScheduleError with the same code, range and message', () => {
  it('carries the diagnostic', () => {
    try {
      cron('0 25 * * *');
      assert.fail('expected a ScheduleError');
    } catch (error) {
      assert.ok(error instanceof ScheduleError);
      assert.equal(error.code, 'TW103');
      assert.equal(error.start, 2);
      assert.equal(error.end, 4);
      assert.equal(error.message, "Invalid schedule '0 25 * * *': hour 25 is out of range 0-23");
    }
  });

  it('does not throw on warnings', () => {
    assert.doesNotThrow(() => cron('*/7 * * * *'));
    assert.doesNotThrow(() => cron('30 2 * * *', { timezone: 'America/New_York' }));
  });
});
