import assert from 'node:assert/strict';
import { at, cron, every, InvalidDateError, ScheduleError, validateSchedule } from '@tickwise/core';
import fc from 'fast-check';
import { resolveTimeZone, TimeZone } from '../../src/schedule/time-zone.js';

const END = new Date(8.64e15); // 275760-09-13T00:00:00Z, the last instant a Date holds
const START = new Date(-8.64e15);

describe('schedules at the ends of representable time', () => {
  for (const timezone of ['UTC', 'Europe/Berlin']) {
    it(`next(), nextRuns() and previous() return null or fewer runs, never Invalid Date (${timezone})`, () => {
      const s = cron('0 0 * * *', { timezone });
      assert.equal(s.next(END), null);
      const last = s.nextRuns(5, new Date(END.getTime() - 3 * 86_400_000));
      assert.ok(last.length > 0 && last.length < 5, `got ${last.length} runs`);
      for (const run of last) assert.ok(!Number.isNaN(run.getTime()) && run.getTime() <= END.getTime());
      assert.equal(s.previous(START), null);
      const first = s.previous(new Date(START.getTime() + 3 * 86_400_000));
      assert.ok(first && !Number.isNaN(first.getTime()) && first.getTime() >= START.getTime());
    });
  }

  it('every() and at() end the same way', () => {
    assert.equal(every('1d').next(END), null);
    assert.equal(every('1d').previous(START), null);
    assert.equal(at('2026-01-01T00:00:00Z').next(END), null);
  });
});

describe('schedules asked about an Invalid Date throw InvalidDateError, in every zone', () => {
  const invalid = new Date(Number.NaN);
  const schedules = [
    ['cron in UTC', cron('0 9 * * *')],
    ['cron in Europe/Berlin', cron('0 9 * * *', { timezone: 'Europe/Berlin' })],
    ['every()', every('5m')],
    ['at()', at('2026-01-01T00:00:00Z')],
  ] as const;
  for (const [name, schedule] of schedules) {
    it(`${name}: next(), nextRuns() and previous()`, () => {
      for (const call of [
        () => schedule.next(invalid),
        () => schedule.nextRuns(3, invalid),
        () => schedule.previous(invalid),
      ]) {
        assert.throws(call, (error: unknown) => {
          assert.ok(error instanceof InvalidDateError);
          assert.ok(error instanceof RangeError);
          assert.equal(error.code, 'INVALID_DATE');
          assert.match(error.message, /Invalid Date/);
          return true;
        });
      }
    });
  }

  it('dstNotes() too', () => {
    const s = cron('30 2 * * *', { timezone: 'America/New_York' });
    assert.throws(() => s.dstNotes(invalid, new Date()), InvalidDateError);
  });
});

describe('the options of cron() and every() called directly', () => {
  it('a misspelled key is a TypeError naming the call and the key, not a schedule read in UTC', () => {
    assert.throws(
      // @ts-expect-error: @nestjs/schedule spells it timeZone
      () => cron('0 9 * * *', { timeZone: 'Europe/Berlin' }),
      (e: unknown) =>
        e instanceof TypeError &&
        e.message ===
          "cron('0 9 * * *'): unknown option 'timeZone' (did you mean 'timezone'?); the options are timezone, dayMatch",
    );
    const options = { start: new Date() } as unknown as { anchor?: Date };
    assert.throws(() => every('5m', options), /every\("5m"\): unknown option 'start'; the options are anchor/);
  });

  it("a dayMatch other than 'or' or 'and' is an error (it used to mean AND)", () => {
    assert.throws(
      // @ts-expect-error: not a DayMatch
      () => cron('0 9 1 * 1', { dayMatch: 'x' }),
      /cron\('0 9 1 \* 1'\): dayMatch must be 'or' \(either day field matches\) or 'and' \(both must\), got "x"/,
    );
    assert.equal(
      cron('0 9 1 * 1', { dayMatch: 'and' }).describe(),
      'At 09:00, on day 1 of the month, if it is Monday (UTC)',
    );
  });

  it('a timezone that is not a string, or options that are not an object, are TypeErrors', () => {
    // @ts-expect-error: not a string
    assert.throws(() => cron('0 9 * * *', { timezone: 1 }), /timezone must be an IANA zone name.*got number/);
    // @ts-expect-error: not an object
    assert.throws(() => cron('0 9 * * *', 'Europe/Berlin'), /options must be an object, got string/);
  });
});

describe('every diagnostic underlines at least one character', () => {
  const TOKENS = [
    '*',
    '?',
    '/',
    '-',
    ',',
    'L',
    'W',
    '#',
    'LW',
    ' ',
    '0',
    '7',
    '31',
    '60',
    'MON',
    'jan',
    '@daily',
    '5L',
    '3#',
    '15W',
    '\t',
    'x',
    '',
  ];
  const cronLike = fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }).map((t) => t.join(''));
  const fiveFields = fc
    .array(fc.array(fc.constantFrom(...TOKENS.filter((t) => t !== ' ' && t !== '\t')), { maxLength: 4 }), {
      minLength: 5,
      maxLength: 6,
    })
    .map((fields) => fields.map((f) => f.join('') || '-').join(' '));

  it('for cron text of any shape, in any zone (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(cronLike, fiveFields, fc.string({ maxLength: 30 })),
        fc.constantFrom('UTC', 'Europe/Berlin', 'Nowhere/Else'),
        (text, timezone) => {
          for (const d of validateSchedule(text, { kind: 'cron', timezone, from: new Date('2026-01-01T00:00:00Z') })) {
            if (text.length === 0) continue;
            assert.ok(d.end > d.start && d.start >= 0 && d.end <= text.length, JSON.stringify({ text, d }));
          }
        },
      ),
      { numRuns: 4000 },
    );
  });

  it('for durations and dates (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 12 }),
        fc.constantFrom('every', 'at') as fc.Arbitrary<'every' | 'at'>,
        (text, kind) => {
          for (const d of validateSchedule(text, { kind })) {
            if (text.length === 0) continue;
            assert.ok(d.end > d.start && d.start >= 0 && d.end <= text.length, JSON.stringify({ text, kind, d }));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('and ScheduleError carries the same non-empty range', () => {
    for (const text of ['-1 * * * *', '0 1,,2 * * *', '/5 * * * *', '0 1- * * *']) {
      assert.throws(
        () => cron(text),
        (error: unknown) => error instanceof ScheduleError && error.end > error.start,
      );
    }
    assert.throws(
      () => every('  '),
      (error: unknown) => error instanceof ScheduleError && error.end > error.start,
    );
  });
});

describe('describe(): day matching and W lists', () => {
  it('says "or" when either day field may match (the default)', () => {
    assert.equal(cron('0 9 1 * 1').describe(), 'At 09:00, on day 1 of the month, or on Monday (UTC)');
    assert.equal(
      cron('0 9 1,15 * MON-FRI').describe(),
      'At 09:00, on day 1 and 15 of the month, or on Monday through Friday (UTC)',
    );
  });

  it('says "if it is" when both must match (dayMatch: and)', () => {
    assert.equal(
      cron('0 9 1 * 1', { dayMatch: 'and' }).describe(),
      'At 09:00, on day 1 of the month, if it is Monday (UTC)',
    );
    assert.equal(
      cron('0 0 L * 1,5', { dayMatch: 'and' }).describe(),
      'At 00:00, on the last day of the month, if it is Monday or Friday (UTC)',
    );
  });

  it('keeps the month restriction after the day rule', () => {
    assert.equal(cron('0 0 1 1 1').describe(), 'At 00:00, on day 1 of the month, or on Monday, only in January (UTC)');
  });

  it('describes day-of-month lists with W instead of falling back to the raw text', () => {
    assert.equal(
      cron('0 0 1W,15W * *').describe(),
      'At 00:00, on the weekday nearest day 1 and the weekday nearest day 15 of the month (UTC)',
    );
    assert.equal(
      cron('0 0 1W,L * *').describe(),
      'At 00:00, on the weekday nearest day 1 and the last day of the month (UTC)',
    );
  });

  it('leaves single-field descriptions as cronstrue words them', () => {
    assert.equal(
      cron('0 9 * * 1-5', { timezone: 'Europe/Berlin' }).describe(),
      'At 09:00, Monday through Friday (Europe/Berlin)',
    );
    assert.equal(cron('0 0 15W * *').describe(), 'At 00:00, on the weekday nearest day 15 of the month (UTC)');
  });
});

describe('DST notes when the jump crosses midnight: Pacific/Apia skipped 2011-12-30', () => {
  it('says the run moves to the next day, with the date', () => {
    const s = cron('30 9 * * *', { timezone: 'Pacific/Apia' });
    const [note, ...rest] = s.dstNotes(new Date('2011-12-01T00:00:00Z'), new Date('2012-01-10T00:00:00Z'));
    assert.equal(rest.length, 0);
    assert.equal(note?.kind, 'gap');
    assert.equal(
      note?.message,
      "2011-12-30 09:30 does not exist in Pacific/Apia (clocks jump forward 1 day, skipping 2011-12-30 entirely); it runs at 09:30 on 2011-12-31 instead, the next day, the same instant as that day's own run, so it runs once",
    );
    // And that is what next() does: one run at 2011-12-31 09:30 +14 (19:30Z on the 30th).
    assert.deepEqual(
      s.nextRuns(3, new Date('2011-12-29T00:00:00Z')).map((d) => d.toISOString()),
      ['2011-12-29T19:30:00.000Z', '2011-12-30T19:30:00.000Z', '2011-12-31T19:30:00.000Z'],
    );
  });

  it('validateSchedule warns with the same words', () => {
    const [warning] = validateSchedule('30 23 * * *', {
      timezone: 'Pacific/Apia',
      from: new Date('2011-06-01T00:00:00Z'),
    });
    assert.equal(warning?.code, 'TW202');
    assert.match(warning?.message ?? '', /it runs at 23:30 on 2011-12-31 instead, the next day/);
  });
});

describe('zone tables past 2037 are predicted from the final rule, and agree with day-by-day sampling', () => {
  const sampled = (name: string, year: number): unknown => {
    // A fresh zone, asked for one year only: nothing to predict from, so it samples every day.
    const zone = resolveTimeZone(name) as TimeZone;
    const fresh = new TimeZone(name, (zone as unknown as { format: Intl.DateTimeFormat }).format);
    return (fresh as unknown as { buildTable(year: number): unknown }).buildTable(year);
  };
  for (const name of [
    'Europe/Berlin',
    'America/New_York',
    'Australia/Lord_Howe',
    'America/Santiago',
    'Africa/Casablanca',
    'Asia/Tehran',
    'Pacific/Apia',
  ]) {
    it(`${name}: 2036-2100 walking forward, then 2090 back to 2040`, () => {
      const zone = resolveTimeZone(name) as TimeZone;
      const walker = new TimeZone(name, (zone as unknown as { format: Intl.DateTimeFormat }).format);
      const tableOf = (year: number) => {
        walker.periodAt(Date.UTC(year, 6, 1));
        return (walker as unknown as { years: Map<number, unknown> }).years.get(year);
      };
      for (let year = 2036; year <= 2100; year += year < 2045 ? 1 : 7)
        assert.deepEqual(tableOf(year), sampled(name, year), `${name} ${year}`);
      for (const year of [2090, 2061, 2040]) assert.deepEqual(tableOf(year), sampled(name, year), `${name} ${year}`);
    });
  }
});
