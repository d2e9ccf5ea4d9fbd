import assert from 'node:assert/strict';
import { at, every, ScheduleError } from '@tickwise/core';
import { parseDuration } from '@tickwise/core/schedule';

describe('every()', () => {
  it('ticks on the epoch grid by default, so every replica computes the same ticks', () => {
    assert.deepEqual(
      every('5m')
        .nextRuns(3, new Date('2026-01-01T00:07:12Z'))
        .map((d) => d.toISOString()),
      ['2026-01-01T00:10:00.000Z', '2026-01-01T00:15:00.000Z', '2026-01-01T00:20:00.000Z'],
    );
  });

  it('ticks at anchor + k * interval, before and after the anchor', () => {
    const s = every('90s', { anchor: new Date('2026-01-01T00:00:10Z') });
    assert.equal(s.next(new Date('2026-01-01T00:00:10Z'))?.toISOString(), '2026-01-01T00:01:40.000Z');
    assert.equal(s.next(new Date('2025-12-31T23:59:00Z'))?.toISOString(), '2026-01-01T00:00:10.000Z');
    assert.equal(s.next(new Date('2025-12-31T23:58:00Z'))?.toISOString(), '2025-12-31T23:58:40.000Z');
    assert.equal(s.previous(new Date('2026-01-01T00:01:40Z'))?.toISOString(), '2026-01-01T00:00:10.000Z');
    assert.equal(s.previous(new Date('2026-01-01T00:01:40.001Z'))?.toISOString(), '2026-01-01T00:01:40.000Z');
  });

  it('parses the duration grammar', () => {
    const cases: [string | number, number][] = [
      ['90s', 90_000],
      ['5m', 300_000],
      ['1h30m', 5_400_000],
      ['2d', 172_800_000],
      ['1w', 604_800_000],
      ['250ms', 250],
      ['1.5h', 5_400_000],
      [' 10 m ', 600_000],
      ['1H', 3_600_000],
      [1234, 1234],
      ['60000', 60_000],
    ];
    for (const [input, ms] of cases) assert.equal(every(input).intervalMs, ms, String(input));
  });

  it('handles intervals above 2^31-1 ms (24.8 days) exactly', () => {
    const s = every('30d');
    const after = new Date('2026-01-01T00:00:00Z');
    const runs = s.nextRuns(3, after).map((d) => d.getTime());
    assert.equal(runs[1]! - runs[0]!, 30 * 86_400_000);
    assert.equal(runs[0]! % (30 * 86_400_000), 0);
    assert.ok(runs[0]! > after.getTime() && runs[0]! - after.getTime() <= 30 * 86_400_000);
    const year = every('365d');
    assert.equal(year.next(new Date(0))?.getTime(), 365 * 86_400_000);
  });

  it('rejects bad durations with a ScheduleError that points at the problem', () => {
    for (const bad of ['', '5x', 'soon', '0s', '-5m', 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '5m 3']) {
      assert.throws(() => every(bad as string), ScheduleError, String(bad));
    }
    try {
      every('1h30x');
    } catch (error) {
      assert.ok(error instanceof ScheduleError);
      assert.equal(error.code, 'TW109');
      assert.equal(error.start, 4);
    }
  });

  it('describes itself', () => {
    assert.equal(every('1h30m').describe(), 'Every 1 hour 30 minutes');
    assert.equal(every('30d').describe(), 'Every 30 days');
    assert.equal(every('2w').describe(), 'Every 2 weeks');
    assert.equal(every('1h30m').toString(), '1h30m');
    assert.equal(every(90_000).toString(), '1m30s');
  });

  it('parseDuration never throws', () => {
    assert.equal(parseDuration('5m').ms, 300_000);
    assert.ok(Number.isNaN(parseDuration('nope').ms));
  });
});

describe('at()', () => {
  it('fires once, strictly after', () => {
    const s = at('2026-12-01T09:00:00+01:00');
    assert.equal(s.next(new Date('2026-01-01T00:00:00Z'))?.toISOString(), '2026-12-01T08:00:00.000Z');
    assert.equal(s.next(new Date('2026-12-01T08:00:00Z')), null);
    assert.deepEqual(s.nextRuns(5, new Date(0)).length, 1);
    assert.equal(s.previous(new Date('2027-01-01T00:00:00Z'))?.toISOString(), '2026-12-01T08:00:00.000Z');
  });

  it('rejects a date without a zone, or not a date', () => {
    assert.throws(() => at('2026-12-01T09:00'), { name: 'ScheduleError', code: 'TW111' });
    assert.throws(() => at('tomorrow'), { name: 'ScheduleError', code: 'TW111' });
    assert.throws(() => at(new Date(Number.NaN)), { name: 'ScheduleError', code: 'TW111' });
  });
});
