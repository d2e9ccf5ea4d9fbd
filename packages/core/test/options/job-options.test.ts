import assert from 'node:assert/strict';
import { Cron, JobDefinitionError, JobOptionError, Scheduler, SchedulerOptionError } from '@tickwise/core';
import { checkJobOptions } from '@tickwise/core/options';
import { VirtualClock } from '@tickwise/core/testing';

const add = (options: Record<string, unknown>) =>
  new Scheduler({ clock: new VirtualClock(), env: {} }).add({
    name: 'nightly',
    schedule: '0 3 * * *',
    run() {},
    ...options,
  });

/** add() throws a JobOptionError naming the job and the option path; checkJobOptions reports the same. */
function rejects(options: Record<string, unknown>, code: string, option: string, message: RegExp | string): void {
  assert.throws(
    () => add(options),
    (error: unknown) => {
      assert.ok(error instanceof JobOptionError, String(error));
      assert.ok(error instanceof JobDefinitionError);
      assert.equal(error.code, code);
      assert.equal(error.job, 'nightly');
      assert.equal(error.option, option);
      if (typeof message === 'string') assert.equal(error.message, `Job 'nightly': ${message}`);
      else assert.match(error.message, message);
      return true;
    },
  );
  const problem = checkJobOptions(options);
  assert.equal(problem?.code, code);
  assert.equal(problem?.option, option);
}

describe('job options: keys at every depth', () => {
  it('a misspelled key inside retry: {} is an unknown option, with a suggestion', () => {
    rejects(
      { retry: { retries: 2, minTimout: '1s' } },
      'UNKNOWN_OPTION',
      'retry.minTimout',
      "unknown option 'retry.minTimout' (did you mean 'retry.minTimeout'?)",
    );
  });

  it('a misspelled key inside catchUp: {} too', () => {
    rejects(
      { catchUp: { policy: 'all', windw: '2h' } },
      'UNKNOWN_OPTION',
      'catchUp.windw',
      "unknown option 'catchUp.windw' (did you mean 'catchUp.window'?)",
    );
  });

  it('a key with nothing close gets no suggestion', () => {
    rejects(
      { catchUp: { policy: 'all', zzzzzzzz: 1 } },
      'UNKNOWN_OPTION',
      'catchUp.zzzzzzzz',
      "unknown option 'catchUp.zzzzzzzz'",
    );
  });

  it('decorators check nested keys when the class is defined', () => {
    assert.throws(() => Cron('* * * * *', { retry: { retrys: 3 } as never }), {
      code: 'UNKNOWN_OPTION',
      message: "Job '@Cron': unknown option 'retry.retrys' (did you mean 'retry.retries'?)",
    });
  });
});

describe('job options: values', () => {
  it("dayMatch accepts only 'or' and 'and'", () => {
    for (const value of ['AND', 'both', '', 1, null]) {
      rejects(
        { dayMatch: value },
        'INVALID_OPTION',
        'dayMatch',
        /dayMatch must be 'or' \(either day field matches\) or 'and' \(both must\)/,
      );
    }
    assert.equal(checkJobOptions({ dayMatch: 'and' }), undefined);
    assert.equal(
      add({ dayMatch: 'and', schedule: '0 3 1 * 1' }).describe,
      'At 03:00, on day 1 of the month, if it is Monday (UTC)',
    );
  });

  it('a timezone that is not a string', () => {
    rejects({ timezone: 1 }, 'INVALID_OPTION', 'timezone', /timezone must be an IANA zone name/);
  });

  const numbers: [string, Record<string, unknown>, string, RegExp][] = [
    ['NaN retries', { retry: Number.NaN }, 'retry', /retry must be a whole number from 0 to 100, got NaN/],
    ['Infinity retries', { retry: { retries: Number.POSITIVE_INFINITY } }, 'retry.retries', /got Infinity/],
    [
      'a NaN minTimeout',
      { retry: { minTimeout: Number.NaN } },
      'retry.minTimeout',
      /retry.minTimeout: duration NaN is not a finite number/,
    ],
    [
      'a fractional maxTimeout',
      { retry: { maxTimeout: 1.5 } },
      'retry.maxTimeout',
      /not a whole number of milliseconds/,
    ],
    [
      'a NaN factor',
      { retry: { factor: Number.NaN } },
      'retry.factor',
      /retry.factor must be a number from 1 to 10, got NaN/,
    ],
    ['an Infinity factor', { retry: { factor: Number.POSITIVE_INFINITY } }, 'retry.factor', /got Infinity/],
    ['a string factor', { retry: { factor: '2' } }, 'retry.factor', /got '2'/],
    [
      'maxTimeout below minTimeout',
      { retry: { minTimeout: '1m', maxTimeout: '1s' } },
      'retry.maxTimeout',
      /is less than retry.minTimeout/,
    ],
    [
      'a fractional catchUp.max',
      { catchUp: { policy: 'all', max: 2.5 } },
      'catchUp.max',
      /catchUp.max must be a whole number from 1 to 1000/,
    ],
    ['catchUp.max 0', { catchUp: { policy: 'all', max: 0 } }, 'catchUp.max', /from 1 to 1000, got 0/],
    [
      'an Infinity window',
      { catchUp: { policy: 'all', window: Number.POSITIVE_INFINITY } },
      'catchUp.window',
      /not a finite number/,
    ],
    ['a NaN jitter', { jitter: Number.NaN }, 'jitter', /jitter: duration NaN/],
    ['a negative lease', { lease: -1000 }, 'lease', /lease: duration -1000 must be more than 0/],
    ['an array for retry', { retry: [1] }, 'retry', /retry must be a number of retries or \{/],
    ['an array for catchUp', { catchUp: ['all'] }, 'catchUp', /catchUp must be 'none', 'latest', 'all' or \{/],
    [
      'a string for randomize',
      { retry: { randomize: 'yes' } },
      'retry.randomize',
      /retry.randomize must be true or false/,
    ],
  ];
  for (const [what, options, path, message] of numbers) {
    it(`rejects ${what}, naming ${path}`, () => rejects(options, 'INVALID_OPTION', path, message));
  }

  it('accepts the documented edges', () => {
    for (const options of [
      { retry: { retries: 0, minTimeout: 0, maxTimeout: '1d', factor: 1 } },
      { retry: { retries: 100, factor: 10, randomize: false } },
      { catchUp: { policy: 'all', window: '1s', max: 1000 } },
      { jitter: 0, lease: '1s', timeout: '30d' },
    ]) {
      assert.equal(checkJobOptions(options), undefined, JSON.stringify(options));
      add(options);
    }
  });
});

describe('scheduler options: numbers are range-checked', () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ['missedAfterMs NaN (nothing would ever run)', { missedAfterMs: Number.NaN }, 'missedAfterMs'],
    ['missedAfterMs negative', { missedAfterMs: -1 }, 'missedAfterMs'],
    ['missedAfterMs 0', { missedAfterMs: 0 }, 'missedAfterMs'],
    ['missedAfterMs as a string', { missedAfterMs: '60s' }, 'missedAfterMs'],
    ['batchSize 0', { batchSize: 0 }, 'batchSize'],
    ['batchSize fractional', { batchSize: 2.5 }, 'batchSize'],
  ];
  for (const [what, options, option] of bad) {
    it(`rejects ${what}`, () => {
      assert.throws(
        () => new Scheduler({ env: {}, ...options }),
        (error: unknown) => {
          assert.ok(error instanceof SchedulerOptionError, String(error));
          assert.equal(error.code, 'INVALID_OPTION');
          assert.equal(error.option, option);
          assert.match(error.message, new RegExp(`^${option} must be a whole number`));
          return true;
        },
      );
    });
  }

  it('accepts whole numbers in range', () => {
    new Scheduler({ env: {}, missedAfterMs: 1, batchSize: 1 });
    new Scheduler({ env: {}, missedAfterMs: 3_600_000, batchSize: 1000 });
  });
});
