import assert from 'node:assert/strict';
import { Cron, Every, hasDecoratedJobs, JobDefinitionError, Scheduler } from '@tickwise/core';
import { VirtualClock } from '@tickwise/core/testing';

class Reports {
  @Cron({ config: 'reports.dailyCron' }, { owner: 'data-team' })
  daily() {}

  @Every({ config: 'reports.syncEvery' })
  sync() {}
}

const scheduler = () => new Scheduler({ clock: new VirtualClock('2026-01-05T00:00:00Z'), env: {} });

describe('schedules from configuration: @Cron({ config }) and @Every({ config })', () => {
  it('reads each key at registration: a string, a number of ms', () => {
    const values: Record<string, unknown> = { 'reports.dailyCron': '0 9 * * 1-5', 'reports.syncEvery': 300_000 };
    const s = scheduler();
    s.register(new Reports(), { config: (key) => values[key] });
    assert.deepEqual(
      s.jobs().map((j) => [j.name, j.schedule, j.owner, j.nextRun?.toISOString()]),
      [
        ['Reports.daily', '0 9 * * 1-5', 'data-team', '2026-01-05T09:00:00.000Z'],
        ['Reports.sync', '5m', undefined, '2026-01-05T00:05:00.000Z'],
      ],
    );
  });

  it('an object value gives the schedule and options that override the decorator’s', () => {
    const values: Record<string, unknown> = {
      'reports.dailyCron': { schedule: '0 7 * * *', timezone: 'Europe/Berlin', owner: 'ops' },
      'reports.syncEvery': '1m',
    };
    const s = scheduler();
    s.register(new Reports(), { config: (key) => values[key] });
    const daily = s.jobs().find((j) => j.name === 'Reports.daily');
    assert.equal(daily?.timezone, 'Europe/Berlin');
    assert.equal(daily?.owner, 'ops');
  });

  it("an expect object from configuration tunes the decorator's expect, keeping the code's result check", async () => {
    class Export {
      @Cron({ config: 'export.cron' }, { expect: { duration: '2m', result: () => 'refused by the code' } })
      run() {
        return 1;
      }
    }
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const s = new Scheduler({ clock, env: {}, logger: false });
    const values: Record<string, unknown> = {
      'export.cron': { schedule: '0 * * * *', expect: { duration: '10m', successWithin: '26h' } },
    };
    s.register(new Export(), { config: (key) => values[key] });
    assert.deepEqual(s.jobs()[0]?.expect, { durationMs: 600_000, successWithinMs: 93_600_000, result: true });
    const outcomes: string[] = [];
    s.on('run:failure', (e) => outcomes.push(e.outcome));
    await s.start();
    await clock.advance('1h');
    await s.stop();
    assert.deepEqual(outcomes, ['unexpected']);
  });

  it('a missing key fails registration, naming the job and the key; nothing is added', () => {
    const s = scheduler();
    assert.throws(
      () => s.register(new Reports(), { config: (key) => (key === 'reports.syncEvery' ? '5m' : undefined) }),
      (e: Error) =>
        e instanceof JobDefinitionError &&
        e.code === 'INVALID_SCHEDULE' &&
        e.message === "Job 'Reports.daily': configuration key 'reports.dailyCron' is not set",
    );
    assert.deepEqual(s.jobs(), []);
  });

  it('an invalid value fails like any bad schedule, with the field', () => {
    assert.throws(
      () =>
        scheduler().register(new Reports(), { config: (key) => (key === 'reports.dailyCron' ? '0 25 * * *' : '5m') }),
      /Job 'Reports\.daily': .*hour 25 is out of range 0-23/,
    );
    assert.throws(
      () => scheduler().register(new Reports(), { config: (key) => (key === 'reports.dailyCron' ? 42 : '5m') }),
      /configuration key 'reports\.dailyCron' must be a cron expression/,
    );
    assert.throws(
      () =>
        scheduler().register(new Reports(), {
          config: (key) => (key === 'reports.dailyCron' ? { schedule: '0 1 * * *', overlapp: 'skip' } : '5m'),
        }),
      /unknown option 'overlapp' \(did you mean 'overlap'\?\)/,
    );
  });

  it('without a config reader, registration says how to give one', () => {
    assert.throws(
      () => scheduler().register(new Reports()),
      /comes from configuration key 'reports\.dailyCron': register the instance with register\(instance, \{ config/,
    );
  });

  it('a config reference must be exactly { config: key }', () => {
    assert.throws(() => Cron({ config: '' }), /takes exactly one non-empty configuration key/);
    assert.throws(() => Every({ config: 'a', extra: 1 } as never), /takes exactly one non-empty configuration key/);
  });
});

describe('hasDecoratedJobs (for integrations that scan many objects)', () => {
  it('agrees with register(): an override without a decorator is not a job', () => {
    class Base {
      @Every('5m')
      sync() {}
    }
    class Quiet extends Base {
      override sync() {}
    }
    assert.equal(hasDecoratedJobs(new Base()), true);
    assert.equal(hasDecoratedJobs(new Quiet()), false);
    assert.throws(() => scheduler().register(new Quiet()), /has no @Cron, @Every or @Job methods/);
    assert.equal(hasDecoratedJobs({}), false);
    assert.equal(hasDecoratedJobs(null), false);
  });
});
