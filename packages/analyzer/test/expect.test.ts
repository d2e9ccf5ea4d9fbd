// The `expect` option (issue 17): read statically, checked as registration checks it, compared
// with the schedule and the timeout (TW308, TW309), and shown by `tickwise list`.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  analyzeSource,
  describeExpectation,
  formatDurationShort,
  type JobDeclaration,
  summarizeExpectation,
} from '@tickwise/analyzer';
import { byCode, cli, covered, FIXTURES, fixture, NOW } from './helpers.js';

const EXPECT = join(FIXTURES, 'expect');
const NOW_FLAG = `--now=${NOW.toISOString()}`;

function jobNamed(jobs: readonly JobDeclaration[], name: string): JobDeclaration {
  const job = jobs.find((j) => j.name === name);
  assert.ok(job, `no job ${name} in ${jobs.map((j) => j.name).join(', ')}`);
  return job;
}

describe('expect: read from source', () => {
  const { analysis } = fixture('src/jobs.ts', EXPECT);

  it('literals and constants of the file, with their milliseconds; a result check as present', () => {
    assert.deepEqual(jobNamed(analysis.jobs, 'Exports.nightly').expect, {
      duration: '2m',
      durationMs: 120_000,
      successWithin: '26h',
      successWithinMs: 93_600_000,
      result: true,
    });
    // A function held in a constant is a check too.
    assert.deepEqual(jobNamed(analysis.jobs, 'Exports.sync').expect, {
      duration: '30s',
      durationMs: 30_000,
      successWithin: '15m',
      successWithinMs: 900_000,
      result: true,
    });
  });

  it('a number of ms; a constant imported from another file is dynamic without a resolver', () => {
    assert.deepEqual(jobNamed(analysis.jobs, 'reports.weekly').expect, {
      duration: 600_000,
      durationMs: 600_000,
      dynamic: { successWithin: 'WEEKLY_WINDOW' },
    });
  });

  it('from decorators with a schedule read from configuration, and from add() with a method as the check', () => {
    assert.deepEqual(jobNamed(analysis.jobs, 'Exports.configured').expect, {
      successWithin: '2d',
      successWithinMs: 172_800_000,
    });
    assert.deepEqual(jobNamed(analysis.jobs, 'cleanup').expect, { duration: '1m', durationMs: 60_000, result: true });
    assert.equal(jobNamed(analysis.jobs, 'Exports.unexpecting').expect, undefined);
  });

  it('raises nothing for valid expectations: a result function is not a bad value', () => {
    assert.deepEqual(analysis.diagnostics, []);
  });

  it('a whole expectation known only at run time, and a spread', () => {
    const source = `import { Cron } from '@tickwise/core';
const BASE = { successWithin: '1h' };
export class J {
  @Cron('0 1 * * *', { expect: settings.expect })
  a() {}
  @Cron('0 1 * * *', { expect: { ...BASE, duration: '1m' } })
  b() {}
}`;
    const { jobs, diagnostics } = analyzeSource('j.ts', source, { now: NOW });
    assert.deepEqual(jobNamed(jobs, 'J.a').expect, { dynamic: { expect: 'settings.expect' } });
    assert.deepEqual(jobNamed(jobs, 'J.b').expect, { duration: '1m', durationMs: 60_000, dynamic: { '...': 'BASE' } });
    assert.equal(describeExpectation(jobNamed(jobs, 'J.a').expect), 'set at run time');
    assert.equal(summarizeExpectation(jobNamed(jobs, 'J.b').expect), '< 1 min, more set at run time');
    assert.deepEqual(diagnostics, []);
  });
});

describe('expect: checked as registration checks it', () => {
  const SOURCE = `import { Cron, Scheduler } from '@tickwise/core';
const LIMITS = { duratoin: '2m' };
export class Jobs {
  @Cron('0 2 * * *', { expect: { duratoin: '2m', result: (v) => v !== null } })
  typo() {}

  @Cron('0 2 * * *', { expect: { duration: 'soon', result: (v) => true } })
  badDuration() {}

  @Cron('0 2 * * *', { expect: { duration: '40d' } })
  outOfRange() {}

  @Cron('0 2 * * *', { expect: { successWithin: '500ms' } })
  windowTooShort() {}

  @Cron('0 2 * * *', { expect: { result: 'processed > 0' } })
  resultNotAFunction() {}

  @Cron('0 2 * * *', { expect: '2m' })
  notAnObject() {}

  @Cron('0 2 * * *', { expect: { duration: process.env.EXPECTED, succesWithin: '26h' } })
  typoBesideDynamic() {}

  @Cron('0 2 * * *', { expect: { duration: process.env.EXPECTED, successWithin: '26h', result(value) { return true; } } })
  dynamicAndMethod() {}

  @Cron('0 2 * * *', { expect: LIMITS })
  typoInConstant() {}
}
new Scheduler().add({ name: 'added', schedule: '0 3 * * *', run() {}, expect: { duration: '2m', reslt(v) { return true; } } });
`;
  const analysis = analyzeSource('jobs.ts', SOURCE, { now: NOW });
  const at = (code: string) =>
    byCode(analysis.diagnostics, code).map((d) => [d.job, covered(SOURCE, d.span), d.message]);

  it('a misspelt key inside expect: {} is TW304 on that key, with "did you mean"', () => {
    assert.deepEqual(at('TW304'), [
      ['Jobs.typo', 'duratoin', "unknown option 'expect.duratoin' (did you mean 'expect.duration'?)"],
      // Beside a value known only at run time the keys are still checked.
      [
        'Jobs.typoBesideDynamic',
        'succesWithin',
        "unknown option 'expect.succesWithin' (did you mean 'expect.successWithin'?)",
      ],
      // Through a constant: at the option, since the constant may serve other jobs.
      ['Jobs.typoInConstant', 'expect', "unknown option 'expect.duratoin' (did you mean 'expect.duration'?)"],
      ['added', 'reslt', "unknown option 'expect.reslt' (did you mean 'expect.result'?)"],
    ]);
  });

  it('a bad value is TW303 on that value', () => {
    assert.deepEqual(at('TW303'), [
      [
        'Jobs.badDuration',
        "'soon'",
        "expect.duration: duration 'soon': 'soon' is not a number (use ms, s, m, h, d or w, e.g. '90s', '5m' or '1h30m')",
      ],
      ['Jobs.outOfRange', "'40d'", 'expect.duration 40d is out of range (1 ms to 2592000000 ms)'],
      ['Jobs.windowTooShort', "'500ms'", 'expect.successWithin 500ms is out of range (1000 ms to 31622400000 ms)'],
      ['Jobs.resultNotAFunction', "'processed > 0'", "expect.result must be a function of the handler's return value"],
      ['Jobs.notAnObject', "'2m'", "expect must be an object such as { duration: '2m', successWithin: '26h' }"],
    ]);
  });

  it('bad values are left out of the expectation the editor shows', () => {
    assert.deepEqual(jobNamed(analysis.jobs, 'Jobs.badDuration').expect, { result: true });
    assert.deepEqual(jobNamed(analysis.jobs, 'Jobs.outOfRange').expect, {});
    assert.deepEqual(jobNamed(analysis.jobs, 'Jobs.resultNotAFunction').expect, {});
    assert.equal(jobNamed(analysis.jobs, 'Jobs.notAnObject').expect, undefined);
    assert.deepEqual(jobNamed(analysis.jobs, 'Jobs.dynamicAndMethod').expect, {
      successWithin: '26h',
      successWithinMs: 93_600_000,
      result: true,
      dynamic: { duration: 'process.env.EXPECTED' },
    });
  });

  it('a dynamic duration beside a method raises nothing', () => {
    assert.deepEqual(
      analysis.diagnostics.filter((d) => d.job === 'Jobs.dynamicAndMethod'),
      [],
    );
  });
});

describe('expect: tickwise check warns about durations the schedule or the timeout contradicts', () => {
  const { text, analysis } = fixture('src/warnings.ts', EXPECT);
  const warnings = analysis.diagnostics.map((d) => [d.code, d.severity, d.job, covered(text, d.span), d.message]);

  it('TW308: longer than the period of every(), or than the closest ticks of a cron; TW309: longer than the timeout', () => {
    assert.deepEqual(warnings, [
      [
        'TW308',
        'warning',
        'Slow.overlapsEvery',
        "'10m'",
        'expect.duration (10 min) is longer than the 5 min between ticks: runs would overlap',
      ],
      [
        'TW308',
        'warning',
        'Slow.overlapsCron',
        "'9h'",
        'expect.duration (9 h) is longer than the 8 h between its closest ticks: runs would overlap',
      ],
      [
        'TW309',
        'warning',
        'Slow.longerThanTimeout',
        "'10m'",
        'expect.duration (10 min) is longer than the timeout (5 min): an attempt is aborted before it would count as slow',
      ],
    ]);
  });

  it('no warning when the duration fits (equal to the timeout, shorter than the period)', () => {
    assert.deepEqual(
      analysis.diagnostics.filter((d) => d.job === 'Slow.exactlyTheTimeout' || d.job === 'Slow.shorter'),
      [],
    );
  });

  it('a daily cron in a zone with DST: its shortest gap is the 23 h of the spring-forward day', () => {
    const source = `import { Cron } from '@tickwise/core';
export class D {
  @Cron('0 3 * * *', { timezone: 'Europe/Berlin', expect: { duration: '23h30m' } })
  nightly() {}
  @Cron('0 3 * * *', { timezone: 'Europe/Berlin', expect: { duration: '22h' } })
  fits() {}
  @Cron('0 3 * * *', { expect: { duration: '25h' } })
  utc() {}
}`;
    const { diagnostics } = analyzeSource('d.ts', source, { now: NOW });
    assert.deepEqual(
      byCode(diagnostics, 'TW308').map((d) => [d.job, d.message]),
      [
        [
          'D.nightly',
          'expect.duration (23 h 30 min) is longer than the 23 h between its closest ticks: runs would overlap',
        ],
        ['D.utc', 'expect.duration (25 h) is longer than the 24 h between ticks: runs would overlap'],
      ],
    );
  });

  it('a one-shot and a dynamic schedule are not compared', () => {
    const source = `import { Job, at } from '@tickwise/core';
export class O {
  @Job({ schedule: at('2027-01-01T00:00:00Z'), expect: { duration: '1h' } })
  once() {}
  @Job({ schedule: process.env.CRON, expect: { duration: '1h' } })
  dynamic() {}
}`;
    assert.deepEqual(analyzeSource('o.ts', source, { now: NOW }).diagnostics, []);
  });

  it('tickwise check prints them as warnings and exits 0', async () => {
    const { code, out, err } = await cli(EXPECT, 'check', 'src', NOW_FLAG);
    assert.equal(code, 0);
    assert.deepEqual(out.split('\n'), [
      'src/warnings.ts:5:38: warning TW308: expect.duration (10 min) is longer than the 5 min between ticks: runs would overlap',
      'src/warnings.ts:8:47: warning TW308: expect.duration (9 h) is longer than the 8 h between its closest ticks: runs would overlap',
      'src/warnings.ts:11:59: warning TW309: expect.duration (10 min) is longer than the timeout (5 min): an attempt is aborted before it would count as slow',
    ]);
    assert.equal(err, '0 errors, 3 warnings in 11 jobs (3 files checked)');
  });
});

describe('expect: the words shown for it', () => {
  it('durations exactly and short: min and h as written, days from 48 h', () => {
    assert.deepEqual(
      [250, 90_000, 120_000, 5_400_000, 93_600_000, 86_400_000, 172_800_000, 302_400_000, 691_200_000].map(
        formatDurationShort,
      ),
      ['250 ms', '1 min 30 s', '2 min', '1 h 30 min', '26 h', '24 h', '2 days', '3 days 12 h', '8 days'],
    );
  });

  it('short (CodeLens, list) and long (hover) say the same', () => {
    const expect = { duration: '2m', durationMs: 120_000, successWithin: '26h', successWithinMs: 93_600_000 };
    assert.equal(summarizeExpectation(expect), '< 2 min, a success every 26 h');
    assert.equal(
      describeExpectation({ ...expect, result: true }),
      'under 2 min per run; at least one success every 26 h; result checked',
    );
    assert.equal(summarizeExpectation({ dynamic: { duration: 'x' } }), 'duration set at run time');
    assert.equal(summarizeExpectation(undefined), '');
    assert.equal(describeExpectation({}), '');
  });
});

describe('expect: tickwise list', () => {
  it('an EXPECTED column, in the words of the CodeLens', async () => {
    const { code, out } = await cli(EXPECT, 'list', 'src/jobs.ts', NOW_FLAG);
    assert.equal(code, 0);
    const lines = out.split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+SCHEDULE\s+ZONE\s+NEXT RUN\s+LOCATION\s+OWNER\s+EXPECTED$/);
    const row = (name: string) => lines.find((l) => l.startsWith(`${name} `)) ?? '';
    assert.match(
      row('Exports.nightly'),
      /src\/jobs\.ts:10\s+data-team\s+< 2 min, a success every 26 h, result checked$/,
    );
    assert.match(row('Exports.sync'), /platform\s+< 30 s, a success every 15 min, result checked$/);
    // The CLI reads the imported constant in its file.
    assert.match(row('reports.weekly'), /-\s+< 10 min, a success every 8 days$/);
    assert.match(row('Exports.configured'), /\(dynamic\).*-\s+a success every 2 days$/);
    assert.match(row('Exports.unexpecting'), /src\/jobs\.ts:\d+\s+-\s+-$/);
  });

  it('--json: the expectation as read, and the same words as `expected`', async () => {
    const { code, out } = await cli(EXPECT, 'list', '--json', 'src/jobs.ts', NOW_FLAG);
    assert.equal(code, 0);
    const jobs: (JobDeclaration & { expected?: string })[] = JSON.parse(out).jobs;
    const nightly = jobNamed(jobs, 'Exports.nightly') as JobDeclaration & { expected?: string };
    assert.deepEqual(nightly.expect, {
      duration: '2m',
      durationMs: 120_000,
      successWithin: '26h',
      successWithinMs: 93_600_000,
      result: true,
    });
    assert.equal(nightly.expected, '< 2 min, a success every 26 h, result checked');
    assert.deepEqual(jobNamed(jobs, 'reports.weekly').expect, {
      duration: 600_000,
      durationMs: 600_000,
      successWithin: '8d',
      successWithinMs: 691_200_000,
    });
    const plain = jobNamed(jobs, 'Exports.unexpecting') as JobDeclaration & { expected?: string };
    assert.equal(plain.expect, undefined);
    assert.equal(plain.expected, undefined);
  });
});
