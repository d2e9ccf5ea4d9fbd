import assert from 'node:assert/strict';
import { cron } from '@tickwise/core';
import { DstOracle } from '../helpers/dst-oracle.js';

const iso = (ms: number | Date | null) => (ms === null ? null : new Date(ms).toISOString());
const HOUR = 3_600_000;

describe('DST policy: the documented examples', () => {
  it('rule 1: 30 2 * * * in America/New_York on 2026-03-08 fires at 03:30 EDT (07:30Z)', () => {
    const s = cron('30 2 * * *', { timezone: 'America/New_York' });
    assert.deepEqual(s.nextRuns(3, new Date('2026-03-07T00:00:00Z')).map(iso), [
      '2026-03-07T07:30:00.000Z',
      '2026-03-08T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('rule 1: a gap time that maps onto an existing tick fires once (0 * * * * at the gap)', () => {
    const s = cron('0 * * * *', { timezone: 'America/New_York' });
    assert.deepEqual(s.nextRuns(3, new Date('2026-03-08T05:30:00Z')).map(iso), [
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 02:00 does not exist; 03:00 EDT, once
      '2026-03-08T08:00:00.000Z', // 04:00 EDT
    ]);
  });

  it('rule 2: a fixed hour fires once on fall-back day, at the first 01:30 (05:30Z)', () => {
    const s = cron('30 1 * * *', { timezone: 'America/New_York' });
    assert.deepEqual(s.nextRuns(2, new Date('2026-11-01T00:00:00Z')).map(iso), [
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('rule 2: a wildcard hour fires at every real instant, 01:00 EDT and 01:00 EST', () => {
    const s = cron('0 * * * *', { timezone: 'America/New_York' });
    assert.deepEqual(s.nextRuns(4, new Date('2026-11-01T04:30:00Z')).map(iso), [
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T08:00:00.000Z',
    ]);
  });

  it('a gap time still fires when next() is asked from inside the hour after the gap', () => {
    // 07:10Z is 03:10 EDT; the skipped 02:30 fires at 07:30Z, which is still ahead.
    const s = cron('30 2 * * *', { timezone: 'America/New_York' });
    assert.equal(iso(s.next(new Date('2026-03-08T07:10:00Z'))), '2026-03-08T07:30:00.000Z');
  });

  it('a fixed hour does not fire again when asked from inside the repeated hour', () => {
    // 06:10Z is 01:10 EST, the second pass; 01:30 already fired at 05:30Z.
    const s = cron('30 1 * * *', { timezone: 'America/New_York' });
    assert.equal(iso(s.next(new Date('2026-11-01T06:10:00Z'))), '2026-11-02T06:30:00.000Z');
  });

  it('skipped midnight (America/Santiago) still gives the day its run', () => {
    const s = cron('0 0 * * *', { timezone: 'America/Santiago' });
    const oracle = new DstOracle('America/Santiago');
    const [transition] = oracle.transitions(Date.UTC(2026, 8, 1), Date.UTC(2026, 9, 1));
    assert.ok(transition, 'expected a spring-forward in September 2026');
    const run = s.next(new Date(transition - HOUR));
    assert.equal(iso(run), iso(transition), 'the missing 00:00 runs at the instant the day starts');
  });

  it('Lord Howe shifts by 30 minutes: 02:15 in the gap runs at 02:45', () => {
    const s = cron('15 2 * * *', { timezone: 'Australia/Lord_Howe' });
    const oracle = new DstOracle('Australia/Lord_Howe');
    const [transition] = oracle.transitions(Date.UTC(2026, 9, 1), Date.UTC(2026, 9, 10));
    assert.ok(transition, 'expected a spring-forward in early October 2026');
    const run = s.next(new Date(transition - HOUR)) as Date;
    assert.equal(oracle.wall(run.getTime()).hour, 2);
    assert.equal(oracle.wall(run.getTime()).minute, 45);
  });

  it('rejects an unknown time zone instead of using UTC', () => {
    assert.throws(() => cron('0 0 * * *', { timezone: 'Mars/Olympus' }), { name: 'ScheduleError', code: 'TW107' });
  });
});

describe('DST policy against a brute-force oracle', () => {
  const zones = [
    'America/New_York',
    'Europe/Berlin',
    'Australia/Lord_Howe',
    'America/Santiago',
    'America/Havana',
    'Asia/Kolkata',
    'UTC',
  ];
  const patterns = [
    '30 2 * * *',
    '0 * * * *',
    '30 1 * * *',
    '*/15 * * * *',
    '0 0 * * *',
    '15,45 0-3 * * *',
    '0 2 * * 0',
    '*/20 */2 * * *',
    '45 1 * * *',
    '0 3 * * *',
    '59 23 * * *',
    '30 0 * * *',
  ];
  const years = [2024, 2025, 2026, 2027];

  for (const zone of zones) {
    it(`${zone}: every pattern, every transition of ${years[0]}-${years.at(-1)}, matches the oracle`, function () {
      this.timeout(120_000);
      const oracle = new DstOracle(zone);
      const windows: [number, number][] = [];
      for (const year of years) {
        for (const t of oracle.transitions(Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1))) {
          windows.push([t - 36 * HOUR, t + 36 * HOUR]);
        }
      }
      // An ordinary stretch too, so zones without DST are checked at all.
      windows.push([Date.UTC(2026, 5, 10), Date.UTC(2026, 5, 12)]);
      let compared = 0;
      for (const pattern of patterns) {
        const schedule = cron(pattern, { timezone: zone });
        for (const [from, to] of windows) {
          const expected = oracle.fires(pattern, from, to);
          const actual: number[] = [];
          for (let run = schedule.next(new Date(from - 1)); run && run.getTime() < to; run = schedule.next(run)) {
            actual.push(run.getTime());
          }
          assert.deepEqual(actual.map(iso), expected.map(iso), `${pattern} in ${zone} around ${iso(from)}`);
          compared += expected.length;
        }
      }
      assert.ok(compared > 100, `compared only ${compared} fires`);
    });
  }

  it('starting at every minute (and half-minute) of transition days gives the oracle next run', function () {
    this.timeout(120_000);
    for (const zone of ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'America/Santiago']) {
      const oracle = new DstOracle(zone);
      for (const t of oracle.transitions(Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1))) {
        for (const pattern of ['30 2 * * *', '0 * * * *', '30 1 * * *', '0 0 * * *', '*/20 */2 * * *']) {
          const schedule = cron(pattern, { timezone: zone });
          const from = t - 12 * HOUR;
          const to = t + 12 * HOUR;
          const fires = oracle.fires(pattern, from, to + 26 * HOUR);
          for (let start = from; start < to; start += 30_000) {
            const expected = fires.find((f) => f > start);
            assert.equal(
              iso(schedule.next(new Date(start))),
              iso(expected ?? null),
              `${pattern} in ${zone} from ${iso(start)}`,
            );
          }
        }
      }
    }
  });
});

describe('CronSchedule.dstNotes: the transition days, with the instant each affected run happens', () => {
  it('names the skipped and the repeated local time, and runsAt is a real next() result', () => {
    const gap = cron('30 2 * * *', { timezone: 'America/New_York' });
    const from = new Date('2026-01-01T00:00:00Z');
    const to = new Date('2027-01-01T00:00:00Z');
    const [spring, ...rest] = gap.dstNotes(from, to);
    assert.equal(rest.length, 0, 'the fall-back day repeats 01:00-02:00, not 02:30');
    assert.equal(spring?.kind, 'gap');
    assert.equal(spring?.wallTime, '2026-03-08 02:30');
    assert.equal(iso(spring?.runsAt ?? null), '2026-03-08T07:30:00.000Z');
    assert.equal(iso(gap.next(new Date('2026-03-08T00:00:00Z'))), iso(spring?.runsAt ?? null));

    const overlap = cron('30 1 * * *', { timezone: 'America/New_York' });
    const [fall] = overlap.dstNotes(from, to);
    assert.equal(fall?.kind, 'overlap');
    assert.equal(fall?.wallTime, '2026-11-01 01:30');
    assert.equal(iso(overlap.next(new Date('2026-11-01T00:00:00Z'))), iso(fall?.runsAt ?? null));
    assert.match(fall?.message ?? '', /happens twice in America\/New_York/);
  });

  it('is empty for wildcard hours and for zones without DST', () => {
    const range = [new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z')] as const;
    assert.deepEqual(cron('0 * * * *', { timezone: 'Europe/Berlin' }).dstNotes(...range), []);
    assert.deepEqual(cron('30 2 * * *', { timezone: 'Asia/Tokyo' }).dstNotes(...range), []);
  });
});
