import assert from 'node:assert/strict';
import { analyzeSource } from '@tickwise/analyzer';
import { byCode, covered, NOW } from './helpers.js';

const SOURCE = `import { Cron, Every, Scheduler } from '@tickwise/core';
export class Jobs {
  @Cron('0 9 * * *', { retry: { retries: 2, minTimout: '1s' } })
  typoInRetry() {}

  @Every('5m', { catchUp: { policy: 'all', windw: '2h' } })
  typoInCatchUp() {}

  @Cron('0 9 1 * 1', { dayMatch: 'both' })
  badDayMatch() {}

  @Cron('0 9 * * *', { retry: { retries: 3, factor: 0 } })
  badFactor() {}

  @Cron('0 9 * * *', { catchUp: { policy: 'latest', max: 2.5 } })
  fractionalMax() {}

  @Cron('0 9 * * *', { retry: { retries: 3, factor: 2 }, catchUp: { policy: 'all', window: '2h', max: 5 }, dayMatch: 'and' })
  fine() {}
}
new Scheduler().add({ name: 'nested', schedule: '* * * * *', retry: { minTimeout: '1s', maxTimout: '1m' }, run() {} });
`;

describe('tickwise check: options at every depth, as registration checks them', () => {
  const analysis = analyzeSource('jobs.ts', SOURCE, { now: NOW });
  const at = (code: string) =>
    byCode(analysis.diagnostics, code).map((d) => [d.job, covered(SOURCE, d.span), d.message]);

  it('a misspelled key inside retry: {} or catchUp: {} is TW304 on that key, with "did you mean"', () => {
    assert.deepEqual(at('TW304'), [
      ['Jobs.typoInRetry', 'minTimout', "unknown option 'retry.minTimout' (did you mean 'retry.minTimeout'?)"],
      ['Jobs.typoInCatchUp', 'windw', "unknown option 'catchUp.windw' (did you mean 'catchUp.window'?)"],
      ['nested', 'maxTimout', "unknown option 'retry.maxTimout' (did you mean 'retry.maxTimeout'?)"],
    ]);
  });

  it('a bad value is TW303 on that value: dayMatch, and numbers out of range or not whole', () => {
    assert.deepEqual(at('TW303'), [
      [
        'Jobs.badDayMatch',
        "'both'",
        "dayMatch must be 'or' (either day field matches) or 'and' (both must), got 'both'",
      ],
      ['Jobs.badFactor', '0', 'retry.factor must be a number from 1 to 10, got 0'],
      ['Jobs.fractionalMax', '2.5', 'catchUp.max must be a whole number from 1 to 1000, got 2.5'],
    ]);
  });

  it('valid nested options raise nothing', () => {
    assert.deepEqual(
      analysis.diagnostics.filter((d) => d.job === 'Jobs.fine'),
      [],
    );
  });
});
