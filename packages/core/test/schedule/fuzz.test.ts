import assert from 'node:assert/strict';
import { cron, every, ScheduleError, validateSchedule } from '@tickwise/core';
import fc from 'fast-check';
import type { CronPattern } from '../../src/schedule/cron-pattern.js';
import { wallTimeMatches } from '../../src/schedule/cron-search.js';
import { parseCron } from '../../src/schedule/parse-cron.js';
import { DstOracle } from '../helpers/dst-oracle.js';

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
  '13',
  '31',
  '59',
  '60',
  'MON',
  'jan',
  '@daily',
  '@x',
  '5L',
  '3#2',
  '15W',
  '*/5',
  '1-5',
  '\t',
  'é',
  '99999999999999999999',
];

const cronLike = fc.array(fc.constantFrom(...TOKENS), { maxLength: 16 }).map((t) => t.join(''));
const mutated = fc
  .tuple(
    fc.constantFrom('0 9 * * 1-5', '*/15 * * * *', '0 0 L * *', '0 0 * * 5#3', '30 2 * * *', '@hourly', '0 0 1W * *'),
    fc.nat(),
    fc.string({ maxLength: 3 }),
  )
  .map(([base, at, insert]) => base.slice(0, at % (base.length + 1)) + insert + base.slice(at % (base.length + 1)));
const zones = fc.constantFrom(
  'UTC',
  'America/New_York',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Nowhere/Else',
  '',
);

describe('fuzz: schedules never misbehave on strange input', () => {
  it('validateSchedule never throws and its ranges stay inside the text', () => {
    fc.assert(
      fc.property(fc.oneof(cronLike, mutated, fc.string({ maxLength: 40 })), zones, (text, timezone) => {
        for (const d of validateSchedule(text, { timezone, from: new Date('2026-01-01T00:00:00Z') })) {
          assert.ok(d.start >= 0 && d.end <= text.length && d.start <= d.end, JSON.stringify({ text, d }));
          assert.match(d.code, /^TW[12]\d\d$/);
          assert.ok(d.message.length > 0);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('cron() and every() throw nothing but ScheduleError, and agree with validateSchedule', () => {
    fc.assert(
      fc.property(fc.oneof(cronLike, mutated), zones, (text, timezone) => {
        const errors = validateSchedule(text, { kind: 'cron', timezone }).filter((d) => d.severity === 'error');
        try {
          cron(text, { timezone });
          assert.deepEqual(errors, [], `cron() accepted '${text}' that validateSchedule rejects`);
        } catch (error) {
          assert.ok(error instanceof ScheduleError, `'${text}' threw ${String(error)}`);
          assert.equal(error.code, errors[0]?.code);
        }
        try {
          every(text);
        } catch (error) {
          assert.ok(error instanceof ScheduleError, `every('${text}') threw ${String(error)}`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  // Speed is measured by `npm run bench:schedule`, not here (a timed unit test fails on a loaded
  // machine); a pattern that made next() search for long would hit the test's timeout instead.
  it('next() returns strictly later, and only at times whose wall clock matches', () => {
    const oracles = new Map<string, DstOracle>();
    fc.assert(
      fc.property(
        fc.oneof(cronLike, mutated),
        fc.constantFrom('UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe'),
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }),
        (text, timezone, start) => {
          let schedule: ReturnType<typeof cron>;
          try {
            schedule = cron(text, { timezone });
          } catch {
            return;
          }
          const runs = schedule.nextRuns(5, new Date(start));
          let previous = start;
          for (const run of runs) {
            assert.ok(run.getTime() > previous, `'${text}' went backwards or repeated`);
            previous = run.getTime();
            // The run's wall clock (or, for a DST gap, the skipped wall clock) must match.
            const again = schedule.previous(new Date(run.getTime() + 1));
            assert.equal(
              again?.getTime(),
              run.getTime(),
              `'${text}' previous() disagrees with next() at ${run.toISOString()}`,
            );
          }
          // Independent of the search: the run's wall clock (read with Intl) matches the pattern,
          // or it is a skipped wall time moved forward by a spring-forward gap.
          const pattern = parseCron(text).pattern as CronPattern;
          const oracle = oracles.get(timezone) ?? new DstOracle(timezone);
          oracles.set(timezone, oracle);
          for (const run of runs) {
            const t = run.getTime();
            const wall = oracle.wall(Math.floor(t / 60_000) * 60_000).ms + (t % 60_000);
            const jump = oracle.offset(t) - oracle.offset(t - 86_400_000);
            const ok = wallTimeMatches(pattern, wall) || (jump > 0 && wallTimeMatches(pattern, wall - jump));
            assert.ok(ok, `'${text}' in ${timezone} fired at ${run.toISOString()}, which does not match`);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a pattern that never fires is rejected at construction (TW108), not by a search at the first tick', () => {
    assert.throws(() => cron('0 0 31 2 *'), { code: 'TW108' });
    assert.throws(() => cron('0 0 30,31 2 *', { timezone: 'Europe/Berlin' }), { code: 'TW108' });
    assert.throws(() => cron('0 0 31 4,6,9,11 * ', { dayMatch: 'and' }), { code: 'TW108' });
  });
});
